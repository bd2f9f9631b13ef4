import { readFileSync } from 'node:fs';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import { ThresholdHistoryEntity } from '@app/modules/thresholds/persistence/postgres/threshold-history.entity';
import { ThresholdEntity } from '@app/modules/thresholds/persistence/postgres/threshold.entity';
import { CreateRiskThresholds1795651200000 } from '@app/migrations/1795651200000-create-risk-thresholds';
import { CreateRiskThresholdHistory1795651200001 } from '@app/migrations/1795651200001-create-risk-threshold-history';
import { SeedRiskThresholds1795651200002 } from '@app/migrations/1795651200002-seed-risk-thresholds';
import { NotifyThresholdChanges1795651200003 } from '@app/migrations/1795651200003-notify-threshold-changes';
import { CreateIdempotencyKeys1795651200004 } from '@app/migrations/1795651200004-create-idempotency-keys';
import { HistoryServerRequestId1795651200005 } from '@app/migrations/1795651200005-history-server-request-id';
import { CreateChangeRequests1795651200006 } from '@app/migrations/1795651200006-create-change-requests';
import { CreateScoreObservations1795651200007 } from '@app/migrations/1795651200007-create-score-observations';
import { ChangeRequestImpact1795651200008 } from '@app/migrations/1795651200008-change-request-impact';
import { CreateSessions1795651200009 } from '@app/migrations/1795651200009-create-sessions';
import { IdempotencyKeyEntity } from '@app/modules/thresholds/persistence/postgres/idempotency-key.entity';
import {
  ChangeRequestEntity,
  ChangeRequestItemEntity,
  ChangeRequestReviewEntity,
} from '@app/modules/changes/persistence/postgres/change-request.entities';

export const ENTITIES = [
  ThresholdEntity,
  ThresholdHistoryEntity,
  IdempotencyKeyEntity,
  ChangeRequestEntity,
  ChangeRequestItemEntity,
  ChangeRequestReviewEntity,
];

/** Every migration, in order. Listed explicitly so the same list works from src/ (tests) and dist/. */
export const MIGRATIONS = [
  CreateRiskThresholds1795651200000,
  CreateRiskThresholdHistory1795651200001,
  SeedRiskThresholds1795651200002,
  NotifyThresholdChanges1795651200003,
  CreateIdempotencyKeys1795651200004,
  HistoryServerRequestId1795651200005,
  CreateChangeRequests1795651200006,
  CreateScoreObservations1795651200007,
  ChangeRequestImpact1795651200008,
  CreateSessions1795651200009,
];

export const APPLICATION_NAME = 'risk-threshold-service';

export function sslOptions(ssl: DatabaseConfig['ssl']): false | { rejectUnauthorized: boolean; ca?: string } {
  switch (ssl.mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ...(ssl.caFile ? { ca: readFileSync(ssl.caFile, 'utf8') } : {}) };
  }
}

/**
 * The one TypeORM configuration, shared by the service and the TypeORM CLI. `synchronize` is
 * never used: the schema is owned by the migrations.
 */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    ssl: sslOptions(db.ssl),
    applicationName: APPLICATION_NAME,
    connectTimeoutMS: db.connectTimeoutMs,
    poolSize: db.poolMax,
    extra: {
      max: db.poolMax,
      connectionTimeoutMillis: db.connectTimeoutMs,
      idleTimeoutMillis: db.idleTimeoutMs,
      statement_timeout: db.statementTimeoutMs,
    },
    logging: false,
  };
}
