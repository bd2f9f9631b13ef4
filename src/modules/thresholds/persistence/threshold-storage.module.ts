import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import type { AppConfig } from '@app/modules/config/app-config';
import { DatabaseModule } from '@app/modules/database/database.module';
import { DatabaseService } from '@app/modules/database/database.service';
import { seedThresholds } from '@app/modules/thresholds/domain/seed';
import { InMemoryThresholdRepository } from '@app/modules/thresholds/persistence/in-memory/in-memory-threshold.repository';
import { GuardedThresholdRepository } from '@app/modules/thresholds/persistence/postgres/guarded-threshold.repository';
import { PostgresThresholdRepository } from '@app/modules/thresholds/persistence/postgres/postgres-threshold.repository';
import { NoChangeFeed, ThresholdChangeFeed } from '@app/modules/thresholds/persistence/change-feed';
import { PgChangeFeed } from '@app/modules/thresholds/persistence/postgres/pg-change-feed';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

/**
 * The one place the threshold store is chosen, from validated config: PostgreSQL when
 * `STORAGE=postgres` (or `auto` with `DATABASE_URL`), else the seeded in-memory store.
 */
@Module({})
export class ThresholdStorageModule {
  static forRoot(config: AppConfig): DynamicModule {
    const database = config.database;
    if (config.storage.mode === 'postgres' && database) {
      return {
        module: ThresholdStorageModule,
        imports: [DatabaseModule.forRoot(database)],
        providers: [
          {
            provide: ThresholdRepository,
            inject: [DatabaseService, getToken(METRIC.dbQueryDuration)],
            useFactory: (db: DatabaseService, queryDuration: Histogram<'operation' | 'outcome'>): ThresholdRepository =>
              new GuardedThresholdRepository(new PostgresThresholdRepository(db.source), db, queryDuration),
          },
          { provide: ThresholdChangeFeed, useFactory: () => new PgChangeFeed(database) },
        ],
        exports: [ThresholdRepository, ThresholdChangeFeed],
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
      ],
      exports: [ThresholdRepository, ThresholdChangeFeed],
    };
  }
}
