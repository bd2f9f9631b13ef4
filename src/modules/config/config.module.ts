import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from '@app/modules/config/app-config';

/** Provides the validated `AppConfig` everywhere. The config is loaded before the app is built. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
