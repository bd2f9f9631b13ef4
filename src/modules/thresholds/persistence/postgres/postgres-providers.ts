import { ObservationStore } from '@app/modules/observations/persistence/observation.store';
import { GuardedObservationStore } from '@app/modules/observations/persistence/postgres/guarded-observation.store';
import { PostgresObservationStore } from '@app/modules/observations/persistence/postgres/postgres-observation.store';
import type { Provider } from '@nestjs/common';
import { SessionStore } from '@app/modules/auth/sessions/session.store';
import { GuardedSessionStore } from '@app/modules/auth/sessions/guarded-session.store';
import { PostgresSessionStore } from '@app/modules/auth/sessions/postgres-session.store';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { DatabaseService } from '@app/modules/database/database.service';
import { METRIC } from '@app/modules/metrics/metrics.definitions';
import { ThresholdChangeFeed } from '@app/modules/thresholds/persistence/change-feed';
import { GuardedThresholdRepository } from '@app/modules/thresholds/persistence/postgres/guarded-threshold.repository';
import { PgChangeFeed } from '@app/modules/thresholds/persistence/postgres/pg-change-feed';
import { PostgresThresholdRepository } from '@app/modules/thresholds/persistence/postgres/postgres-threshold.repository';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';
import { ChangeRequestRepository } from '@app/modules/changes/persistence/change-request.repository';
import { GuardedChangeRequestRepository } from '@app/modules/changes/persistence/postgres/guarded-change-request.repository';
import { PostgresChangeRequestRepository } from '@app/modules/changes/persistence/postgres/postgres-change-request.repository';

/** The store and change feed on PostgreSQL: the repository behind the circuit breaker, LISTEN/NOTIFY. */
export function postgresProviders(): Provider[] {
  return [
    {
      provide: ThresholdRepository,
      inject: [DatabaseService, getToken(METRIC.dbQueryDuration)],
      useFactory: (db: DatabaseService, queryDuration: Histogram<'operation' | 'outcome'>): ThresholdRepository =>
        new GuardedThresholdRepository(new PostgresThresholdRepository(db.source), db, queryDuration),
    },
    {
      provide: ChangeRequestRepository,
      inject: [DatabaseService, getToken(METRIC.dbQueryDuration)],
      useFactory: (db: DatabaseService, queryDuration: Histogram<'operation' | 'outcome'>): ChangeRequestRepository =>
        new GuardedChangeRequestRepository(new PostgresChangeRequestRepository(db.source), db, queryDuration),
    },
    {
      provide: ObservationStore,
      inject: [DatabaseService, getToken(METRIC.dbQueryDuration)],
      useFactory: (db: DatabaseService, queryDuration: Histogram<'operation' | 'outcome'>): ObservationStore =>
        new GuardedObservationStore(new PostgresObservationStore(db.source), db, queryDuration),
    },
    {
      provide: SessionStore,
      inject: [DatabaseService, getToken(METRIC.dbQueryDuration)],
      useFactory: (db: DatabaseService, queryDuration: Histogram<'operation' | 'outcome'>): SessionStore =>
        new GuardedSessionStore(new PostgresSessionStore(db.source), db, queryDuration),
    },
    {
      provide: ThresholdChangeFeed,
      inject: [DatabaseService],
      useFactory: (db: DatabaseService) => new PgChangeFeed(db.config),
    },
  ];
}
