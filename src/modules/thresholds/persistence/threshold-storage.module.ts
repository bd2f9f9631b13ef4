import { InMemoryObservationStore } from '@app/modules/observations/persistence/in-memory/in-memory-observation.store';
import { ObservationStore } from '@app/modules/observations/persistence/observation.store';
import { SessionStore } from '@app/modules/auth/sessions/session.store';
import { InMemorySessionStore } from '@app/modules/auth/sessions/in-memory-session.store';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@app/modules/config/app-config';
import { DatabaseModule } from '@app/modules/database/database.module';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';
import { InMemoryThresholdRepository } from '@app/modules/thresholds/persistence/in-memory/in-memory-threshold.repository';
import { NoChangeFeed, ThresholdChangeFeed } from '@app/modules/thresholds/persistence/change-feed';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';
import { ChangeRequestRepository } from '@app/modules/changes/persistence/change-request.repository';
import { InMemoryChangeRequestRepository } from '@app/modules/changes/persistence/in-memory/in-memory-change-request.repository';
import type { postgresProviders } from '@app/modules/thresholds/persistence/postgres/postgres-providers';

/** Required, not imported: the PostgreSQL adapter (TypeORM, its entities) loads only when it is used. */
function loadPostgresProviders(): typeof postgresProviders {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./postgres/postgres-providers') as { postgresProviders: typeof postgresProviders })
    .postgresProviders;
}

/**
 * The one place the threshold store is chosen, from validated config: PostgreSQL when
 * `STORAGE=postgres` (or `auto` with `DATABASE_URL`), the embedded PostgreSQL server when
 * `STORAGE=embedded` (or `auto` without it, outside production), else the seeded in-memory store.
 */
@Module({})
export class ThresholdStorageModule {
  static forRoot(config: AppConfig): DynamicModule {
    const database = config.database;
    const storage = config.storage;
    if ((storage.mode === 'postgres' && database) || storage.mode === 'embedded') {
      return {
        module: ThresholdStorageModule,
        imports: [
          storage.mode === 'embedded' ? DatabaseModule.forEmbedded(storage) : DatabaseModule.forRoot(database!),
        ],
        providers: loadPostgresProviders()(),
        exports: [ThresholdRepository, ThresholdChangeFeed, ChangeRequestRepository, ObservationStore, SessionStore],
      };
    }
    return {
      module: ThresholdStorageModule,
      providers: [
        {
          provide: ThresholdRepository,
          useFactory: (): ThresholdRepository => {
            new Logger('Storage').warn(
              `storage: memory (STORAGE=${config.storage.requested}); thresholds are lost when the process stops - for local use only`,
            );
            return new InMemoryThresholdRepository(seedThresholds(new Date()));
          },
        },
        { provide: ThresholdChangeFeed, useClass: NoChangeFeed },
        { provide: ChangeRequestRepository, useFactory: () => new InMemoryChangeRequestRepository() },
        { provide: ObservationStore, useFactory: () => new InMemoryObservationStore() },
        { provide: SessionStore, useFactory: () => new InMemorySessionStore() },
      ],
      exports: [ThresholdRepository, ThresholdChangeFeed, ChangeRequestRepository, ObservationStore, SessionStore],
    };
  }
}
