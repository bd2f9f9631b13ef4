import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@app/modules/config/app-config';
import { CatalogSync } from '@app/modules/thresholds/catalog/catalog-sync.service';
import { ObservationsModule } from '@app/modules/observations/observations.module';
import { ChangesModule } from '@app/modules/changes/changes.module';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { ClassificationService } from '@app/modules/thresholds/classification.service';
import { AdminClassificationController } from '@app/modules/thresholds/http/admin-classification.controller';
import { AdminThresholdsController } from '@app/modules/thresholds/http/admin-thresholds.controller';
import { ClassificationController } from '@app/modules/thresholds/http/classification.controller';
import { HotRoutes } from '@app/modules/thresholds/http/hot-routes';
import { TransferController } from '@app/modules/thresholds/http/transfer.controller';
import { ThresholdStorageModule } from '@app/modules/thresholds/persistence/threshold-storage.module';
import { PastClassificationService } from '@app/modules/thresholds/past-classification.service';
import { ThresholdsService } from '@app/modules/thresholds/thresholds.service';
import { TransferService } from '@app/modules/thresholds/transfer.service';

@Module({})
export class ThresholdsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ThresholdsModule,
      // The catalog is read by the health probes too.
      global: true,
      // Change management builds on the stores (it finds them through this global module's
      // exports); the import endpoint uses it to propose an import as a change request.
      imports: [ThresholdStorageModule.forRoot(config), ObservationsModule, ChangesModule],
      controllers: [
        ClassificationController,
        AdminThresholdsController,
        AdminClassificationController,
        TransferController,
      ],
      providers: [
        ThresholdCatalog,
        CatalogSync,
        ThresholdsService,
        ClassificationService,
        PastClassificationService,
        TransferService,
        HotRoutes,
      ],
      // The stores and the catalog's sync serve change management too (one atomic write path).
      exports: [ThresholdCatalog, CatalogSync, ThresholdStorageModule],
    };
  }
}
