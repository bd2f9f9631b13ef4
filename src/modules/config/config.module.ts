import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule as NestConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, loadConfig } from '@app/modules/config/app-config';

/** Where the validated `AppConfig` sits in `@nestjs/config`'s `ConfigService`. */
export const APP_CONFIG_KEY = 'app';

export type Env = Readonly<Record<string, string | undefined>>;

/** The configuration module, and the config it validated (the module graph depends on it). */
export interface LoadedConfig {
  readonly config: AppConfig;
  readonly module: DynamicModule;
}

/**
 * Configuration through `@nestjs/config`: `ConfigModule.forRoot({ validate })` reads `.env` (when
 * present; real environment variables win) and the process environment, and its `validate` runs
 * the one schema (`loadConfig`: every problem in one error). The typed `AppConfig` it returns is
 * what modules inject; `ConfigService` holds it too (`get('app')`). Tests pass their own
 * environment (`env`): then neither `.env` nor `process.env` is read, and `process.env` is left
 * untouched. Nothing reads `process.env` after start-up.
 */
@Global()
@Module({})
export class ConfigModule {
  static async forRoot(options: { env?: Env } = {}): Promise<LoadedConfig> {
    let config: AppConfig | undefined;
    const own = options.env !== undefined;
    const nestConfig = await NestConfigModule.forRoot({
      ignoreEnvFile: own,
      validatePredefined: !own,
      skipProcessEnv: own,
      // Returns an object, not strings, so @nestjs/config copies nothing back into process.env.
      validate: (raw: Record<string, unknown>) => {
        config = loadConfig(options.env ?? (raw as Env));
        return { [APP_CONFIG_KEY]: config };
      },
    });
    if (!config) throw new Error('@nestjs/config did not run the validation');
    return {
      config,
      module: {
        module: ConfigModule,
        imports: [nestConfig],
        providers: [
          {
            provide: AppConfig,
            inject: [ConfigService],
            useFactory: (service: ConfigService) => service.getOrThrow<AppConfig>(APP_CONFIG_KEY),
          },
        ],
        exports: [AppConfig, NestConfigModule],
      },
    };
  }
}
