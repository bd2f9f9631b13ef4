import { Global, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseConfig, StorageConfig } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';
import { redactUrl } from '@app/modules/database/redact-url';
import type {
  EmbeddedPostgres as EmbeddedPostgresServer,
  EMBEDDED_ALTERNATIVES as Alternatives,
} from '@app/modules/database/embedded/embedded-postgres';

/** The embedded server as a provider: started before the pool opens, stopped after it closed. */
export class EmbeddedDatabase implements OnApplicationShutdown {
  constructor(readonly server: EmbeddedPostgresServer) {}

  async onApplicationShutdown(): Promise<void> {
    await this.server.stop();
    new Logger('EmbeddedPostgres').log('embedded PostgreSQL server stopped');
  }
}

/** The PostgreSQL connection, opened by our own code (not `TypeOrmModule`) so later work can own retries. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(db: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DatabaseService,
          useFactory: (): Promise<DatabaseService> => {
            new Logger('Database').log(`storage: postgres at ${redactUrl(db.url)}`);
            return DatabaseService.start(db);
          },
        },
      ],
      exports: [DatabaseService],
    };
  }

  /**
   * `STORAGE=embedded`: the service starts its own PostgreSQL server in `DATA_DIR`, then connects
   * to it as to any other (migrations, change feed, everything). Nest shuts providers down
   * dependents first, so the pool closes before the server stops.
   */
  static forEmbedded(storage: StorageConfig): DynamicModule {
    const settings = storage.embedded;
    const dataDir = storage.dataDir;
    if (!settings || !dataDir) throw new Error('forEmbedded needs the embedded storage settings');
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: EmbeddedDatabase,
          useFactory: async (): Promise<EmbeddedDatabase> => {
            // Required here, not imported: only the embedded mode loads it.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const embedded = require('./embedded/embedded-postgres') as {
              EmbeddedPostgres: typeof EmbeddedPostgresServer;
              EMBEDDED_ALTERNATIVES: typeof Alternatives;
            };
            const logger = new Logger('EmbeddedPostgres');
            const server = await embedded.EmbeddedPostgres.start(dataDir, logger);
            logger.log(
              `storage: embedded PostgreSQL ${server.version}, data in ${server.dataDir} (kept across restarts), ` +
                `listening on ${redactUrl(server.url)} (password in ${dataDir}/credentials.json). ${embedded.EMBEDDED_ALTERNATIVES}`,
            );
            return new EmbeddedDatabase(server);
          },
        },
        {
          provide: DatabaseService,
          inject: [EmbeddedDatabase],
          useFactory: (embedded: EmbeddedDatabase) => DatabaseService.start({ ...settings, url: embedded.server.url }),
        },
      ],
      exports: [DatabaseService, EmbeddedDatabase],
    };
  }
}
