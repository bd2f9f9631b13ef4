import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuthModule } from '@app/modules/auth/auth.module';
import type { LoadedConfig } from '@app/modules/config/config.module';
import { DocsModule } from '@app/modules/docs/docs.module';
import { ConsoleModule } from '@app/modules/console/console.module';
import { HealthModule } from '@app/modules/health/health.module';
import { HttpModule } from '@app/modules/http/http.module';
import { LoggingModule } from '@app/modules/logging/logging.module';
import { MetricsModule } from '@app/modules/metrics/metrics.module';
import { RateLimitModule } from '@app/modules/rate-limit/rate-limit.module';
import { ThresholdsModule } from '@app/modules/thresholds/thresholds.module';

/** The composition root: imports the modules, nothing else. */
@Module({})
export class AppModule {
  static forRoot(
    { config, module: configModule }: LoadedConfig,
    options: { logStream?: DestinationStream } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot(config, options.logStream),
        configModule,
        HttpModule,
        ThresholdsModule.forRoot(config),
        HealthModule,
        MetricsModule.forRoot(),
        RateLimitModule.forRoot(config),
        AuthModule,
        DocsModule,
        ConsoleModule,
      ],
    };
  }
}
