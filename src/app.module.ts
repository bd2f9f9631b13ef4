import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@app/modules/config/app-config';
import { ConfigModule } from '@app/modules/config/config.module';
import { DocsModule } from '@app/modules/docs/docs.module';
import { HealthModule } from '@app/modules/health/health.module';
import { HttpModule } from '@app/modules/http/http.module';
import { MetricsModule } from '@app/modules/metrics/metrics.module';
import { ThresholdsModule } from '@app/modules/thresholds/thresholds.module';

/** The composition root: imports the modules, nothing else. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        HttpModule,
        ThresholdsModule.forRoot(config),
        HealthModule,
        MetricsModule.forRoot(),
        DocsModule,
      ],
    };
  }
}
