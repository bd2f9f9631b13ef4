import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';
import { InMemoryThresholdRepository } from '@app/modules/thresholds/persistence/in-memory/in-memory-threshold.repository';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * The one place the threshold store is chosen, from validated config. Only the in-memory store
 * exists so far; `STORAGE=auto` resolves to it.
 */
@Module({})
export class ThresholdStorageModule {
  static forRoot(): DynamicModule {
    return {
      module: ThresholdStorageModule,
      providers: [
        {
          provide: ThresholdRepository,
          inject: [AppConfig],
          useFactory: (config: AppConfig): ThresholdRepository => {
            new Logger('Storage').warn(
              `storage: memory (STORAGE=${config.storage.requested}); thresholds are lost when the process stops - for local use only`,
            );
            return new InMemoryThresholdRepository(seedThresholds(new Date()));
          },
        },
      ],
      exports: [ThresholdRepository],
    };
  }
}
