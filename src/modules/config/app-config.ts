import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseApiKeys, type ApiKey } from '@app/modules/auth/api-keys';
import { parseRoleMap, type RoleMapping } from '@app/modules/auth/oidc/role-map';
import type { RequestLogPolicy } from '@app/modules/http/edge/route-config';
import { requestLogPolicies } from '@app/modules/logging/request-log-policy';
import {
  ENV_VARS,
  type LOG_LEVELS,
  type MIGRATIONS_RUN_MODES,
  type NODE_ENVS,
  type SSL_MODES,
  type STORAGE_MODES,
} from '@app/modules/config/env.schema';

export type NodeEnv = (typeof NODE_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type SslMode = (typeof SSL_MODES)[number];
type StorageRequest = (typeof STORAGE_MODES)[number];

export interface DatabaseConfig {
  readonly url: string;
  readonly poolMax: number;
  /** Health reports the pool saturated when more clients than this wait. */
  readonly poolMaxWaiting: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly ssl: { readonly mode: SslMode; readonly caFile?: string };
  /** Whether pending migrations run at start (else the service refuses a schema that is behind). */
  readonly migrationsRun: boolean;
}

/** The validated configuration, typed. Injected by class; nothing else reads `process.env`. */
export class AppConfig {
  constructor(
    readonly nodeEnv: NodeEnv,
    readonly http: {
      readonly host: string;
      readonly port: number;
      readonly bodyLimitBytes: number;
      readonly importBodyLimitBytes: number;
      readonly requestTimeoutMs: number;
      readonly keepAliveTimeoutMs: number;
      readonly corsOrigins: readonly string[];
    },
    readonly storage: StorageConfig,
    readonly log: {
      readonly level: LogLevel;
      readonly format: 'json' | 'pretty';
      /** REQUEST_LOG_POLICY, parsed: policies by route key, budget or `default`. */
      readonly requestPolicies: ReadonlyMap<string, RequestLogPolicy>;
      readonly slowMs: number;
    },
    readonly metrics: { readonly http: boolean },
    readonly rateLimit: RateLimitConfig,
    /** Configured API keys (hashes only); empty in development means "generate one at start". */
    readonly auth: { readonly keys: readonly ApiKey[] },
    /** Present when DATABASE_URL is set (the embedded server's settings are in `storage.embedded`). */
    readonly database: DatabaseConfig | undefined,
    readonly catalog: { readonly resyncIntervalMs: number; readonly snapshotPath?: string },
    readonly shutdown: { readonly delayMs: number; readonly graceMs: number },
    /** Change management (CONTRACT §7): approvals needed, and the scheduler's period. */
    readonly changes: { readonly approvals: number; readonly schedulerIntervalMs: number },
    /** Score observations (CONTRACT §8.1). */
    readonly scores: ScoreCaptureConfig,
    /** People's sessions and, when configured, sign-in at the organisation's provider (CONTRACT §9). */
    readonly signIn: SignInConfig,
  ) {}
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUrl: string;
  readonly scopes: string;
  readonly roleClaim: string;
  readonly roleMap: readonly RoleMapping[];
}

export interface SignInConfig {
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** Whether people may exchange their own API key for a session (SESSION_KEY_SIGN_IN). */
  readonly keySignIn: boolean;
  /** Present when OIDC_ISSUER is set. */
  readonly oidc?: OidcConfig;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL is https, or http to this machine (a provider or service under test). */
function secureOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || LOOPBACK_HOSTS.has(parsed.hostname);
}

export interface ScoreCaptureConfig {
  readonly capture: boolean;
  readonly flushIntervalMs: number;
  readonly maxKeys: number;
  readonly retentionDays: number;
}

export type StorageMode = 'memory' | 'postgres' | 'embedded';

export interface StorageConfig {
  readonly mode: StorageMode;
  readonly requested: StorageRequest;
  /** The embedded server's data directory (absolute), when `mode` is `embedded`. */
  readonly dataDir?: string;
  /** Pool and migration settings of the embedded server's database (its URL is known once it runs). */
  readonly embedded?: Omit<DatabaseConfig, 'url'>;
}

export interface RateLimitConfig {
  readonly enabled: boolean;
  readonly windowMs: number;
  readonly limits: {
    readonly read: number;
    readonly classify: number;
    readonly write: number;
    readonly signIn: number;
  };
  readonly redisUrl?: string;
  /** Proxies trusted for X-Forwarded-For; empty: none. */
  readonly trustedProxies: readonly string[];
}

export interface ConfigProblem {
  name: string;
  /** The offending value; absent for secrets. */
  value?: string;
  expected: string;
}

/** Thrown at boot when the environment is invalid; its message lists every problem. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid configuration: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`,
        ...problems.map(
          (p) => `  - ${p.name}${p.value === undefined ? '' : `=${JSON.stringify(p.value)}`}: expected ${p.expected}`,
        ),
      ].join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates `env` against the schema and builds the typed configuration. Unset and empty
 * variables take their default (an empty default means "optional, unset"). Every problem is
 * collected before throwing; secret values are never repeated.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const v of ENV_VARS) {
    const raw = env[v.name] === undefined || env[v.name] === '' ? v.default : env[v.name];
    if (raw === undefined) {
      problems.push({ name: v.name, expected: `a value (${v.description})` });
      continue;
    }
    if (raw === '') continue;
    const result = v.schema.safeParse(raw);
    if (result.success) {
      values[v.name] = result.data;
    } else {
      problems.push({
        name: v.name,
        value: v.secret ? undefined : raw,
        expected: [...new Set(result.error.issues.map((i) => i.message))].join('; '),
      });
    }
  }

  const databaseUrl = values.DATABASE_URL as string | undefined;
  const requested = values.STORAGE as StorageRequest | undefined;
  const urlGiven = databaseUrl !== undefined || (env.DATABASE_URL ?? '') !== '';
  if (requested === 'postgres' && !urlGiven) {
    problems.push({ name: 'DATABASE_URL', expected: 'a PostgreSQL URL, because STORAGE=postgres' });
  }
  if (values.NODE_ENV === 'production' && requested === 'auto' && !urlGiven) {
    problems.push({
      name: 'DATABASE_URL',
      expected:
        'a PostgreSQL URL in production (without it the service would run on an embedded server; STORAGE=memory only for throwaway use)',
    });
  }
  if (values.NODE_ENV === 'production' && requested === 'embedded') {
    problems.push({
      name: 'STORAGE',
      value: 'embedded',
      expected: 'postgres in production, with DATABASE_URL (the embedded server is for development)',
    });
  }
  const caFile = values.DATABASE_SSL_CA_FILE as string | undefined;
  if (caFile !== undefined && !existsSync(caFile)) {
    problems.push({ name: 'DATABASE_SSL_CA_FILE', value: caFile, expected: 'a readable PEM file' });
  }
  const keys: ApiKey[] = [];
  const keysText = values.API_KEYS as string | undefined;
  if (keysText !== undefined) {
    const parsed = parseApiKeys(keysText);
    keys.push(...parsed.keys);
    // The entries are secret: the problems name entries, never their content.
    for (const problem of parsed.problems) problems.push({ name: 'API_KEYS', expected: problem });
  }
  const keysFile = values.API_KEYS_FILE as string | undefined;
  if (keysFile !== undefined) {
    if (!existsSync(keysFile)) {
      problems.push({
        name: 'API_KEYS_FILE',
        value: keysFile,
        expected: 'a readable file of name:role:sha256hex lines',
      });
    } else {
      const parsed = parseApiKeys(readFileSync(keysFile, 'utf8'));
      keys.push(...parsed.keys);
      for (const problem of parsed.problems) problems.push({ name: 'API_KEYS_FILE', expected: problem });
    }
  }
  if (keys.length === 0 && values.NODE_ENV === 'production') {
    problems.push({ name: 'API_KEYS', expected: 'at least one key in production (npm run key:create makes one)' });
  }
  if (values.LOG_FORMAT === 'pretty' && values.NODE_ENV === 'production') {
    problems.push({ name: 'LOG_FORMAT', value: 'pretty', expected: 'json in production (pretty is for local use)' });
  }
  const oidc = oidcConfig(values, problems);
  if ((values.SESSION_IDLE_TIMEOUT_MS as number) > (values.SESSION_ABSOLUTE_TIMEOUT_MS as number)) {
    problems.push({
      name: 'SESSION_IDLE_TIMEOUT_MS',
      value: String(values.SESSION_IDLE_TIMEOUT_MS),
      expected: `at most SESSION_ABSOLUTE_TIMEOUT_MS (${String(values.SESSION_ABSOLUTE_TIMEOUT_MS)})`,
    });
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);

  const nodeEnv = values.NODE_ENV as NodeEnv;
  const migrationsRun = values.MIGRATIONS_RUN as (typeof MIGRATIONS_RUN_MODES)[number];
  const pool: Omit<DatabaseConfig, 'url' | 'ssl'> = {
    poolMax: values.DATABASE_POOL_MAX as number,
    poolMaxWaiting: values.DATABASE_POOL_MAX_WAITING as number,
    connectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS as number,
    statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS as number,
    idleTimeoutMs: values.DATABASE_IDLE_TIMEOUT_MS as number,
    migrationsRun: migrationsRun === 'auto' ? nodeEnv !== 'production' : migrationsRun === 'true',
  };
  const database: DatabaseConfig | undefined =
    databaseUrl === undefined
      ? undefined
      : {
          url: databaseUrl,
          ...pool,
          ssl: { mode: values.DATABASE_SSL_MODE as SslMode, ...(caFile ? { caFile } : {}) },
        };
  const mode: StorageMode =
    requested === 'memory'
      ? 'memory'
      : requested === 'embedded' || (requested === 'auto' && database === undefined)
        ? 'embedded'
        : 'postgres';
  const storage: StorageConfig =
    mode === 'embedded'
      ? {
          mode,
          requested: requested as StorageRequest,
          dataDir: resolve(values.DATA_DIR as string),
          // The embedded server is on loopback: no TLS.
          embedded: { ...pool, ssl: { mode: 'disable' } },
        }
      : { mode, requested: requested as StorageRequest };

  return new AppConfig(
    nodeEnv,
    {
      host: values.HOST as string,
      port: values.PORT as number,
      bodyLimitBytes: values.BODY_LIMIT_BYTES as number,
      importBodyLimitBytes: values.IMPORT_BODY_LIMIT_BYTES as number,
      requestTimeoutMs: values.HTTP_REQUEST_TIMEOUT_MS as number,
      keepAliveTimeoutMs: values.HTTP_KEEP_ALIVE_TIMEOUT_MS as number,
      corsOrigins: ((values.CORS_ORIGINS as string | undefined) ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    storage,
    {
      level: values.LOG_LEVEL as LogLevel,
      format: values.LOG_FORMAT as 'json' | 'pretty',
      requestPolicies: requestLogPolicies(values.REQUEST_LOG_POLICY as string),
      slowMs: values.REQUEST_LOG_SLOW_MS as number,
    },
    { http: values.METRICS_ENABLED === 'true' },
    {
      enabled: values.RATE_LIMIT_ENABLED === 'true',
      windowMs: values.RATE_LIMIT_WINDOW_MS as number,
      limits: {
        read: values.RATE_LIMIT_READS as number,
        classify: values.RATE_LIMIT_CLASSIFY as number,
        write: values.RATE_LIMIT_WRITES as number,
        signIn: values.RATE_LIMIT_SIGN_IN as number,
      },
      ...(values.REDIS_URL ? { redisUrl: values.REDIS_URL as string } : {}),
      trustedProxies: ((values.TRUST_PROXY as string | undefined) ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    },
    { keys },
    database,
    {
      resyncIntervalMs: values.CATALOG_RESYNC_INTERVAL_MS as number,
      ...(values.SNAPSHOT_PATH ? { snapshotPath: values.SNAPSHOT_PATH as string } : {}),
    },
    {
      delayMs: (values.SHUTDOWN_DELAY_MS as number | undefined) ?? (nodeEnv === 'production' ? 5000 : 0),
      graceMs: values.SHUTDOWN_GRACE_MS as number,
    },
    {
      approvals: (values.CHANGE_APPROVALS as number | undefined) ?? (nodeEnv === 'production' ? 1 : 0),
      schedulerIntervalMs: values.CHANGE_SCHEDULER_INTERVAL_MS as number,
    },
    {
      capture: values.SCORE_CAPTURE === 'true',
      flushIntervalMs: values.SCORE_FLUSH_INTERVAL_MS as number,
      maxKeys: values.SCORE_CAPTURE_MAX_KEYS as number,
      retentionDays: values.SCORE_RETENTION_DAYS as number,
    },
    {
      idleMs: values.SESSION_IDLE_TIMEOUT_MS as number,
      absoluteMs: values.SESSION_ABSOLUTE_TIMEOUT_MS as number,
      keySignIn: values.SESSION_KEY_SIGN_IN === 'auto' ? !oidc : values.SESSION_KEY_SIGN_IN === 'true',
      ...(oidc ? { oidc } : {}),
    },
  );
}

/** OIDC_*: all of issuer, client id, redirect URL and role map, or none of them (collects the problems). */
function oidcConfig(values: Record<string, unknown>, problems: ConfigProblem[]): OidcConfig | undefined {
  const issuer = values.OIDC_ISSUER as string | undefined;
  const dependents = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL', 'OIDC_ROLE_MAP'];
  if (issuer === undefined) {
    for (const name of dependents.filter((n) => values[n] !== undefined)) {
      problems.push({ name: 'OIDC_ISSUER', expected: `the provider's issuer URL, because ${name} is set` });
    }
    return undefined;
  }
  const before = problems.length;
  if (!secureOrLoopback(issuer)) {
    problems.push({ name: 'OIDC_ISSUER', value: issuer, expected: 'an https URL (http only on loopback)' });
  }
  for (const name of ['OIDC_CLIENT_ID', 'OIDC_REDIRECT_URL', 'OIDC_ROLE_MAP']) {
    if (values[name] === undefined) problems.push({ name, expected: 'a value, because OIDC_ISSUER is set' });
  }
  const redirectUrl = values.OIDC_REDIRECT_URL as string | undefined;
  if (redirectUrl !== undefined) {
    const parsed = new URL(redirectUrl);
    if (parsed.pathname !== '/v1/session/oidc/callback' || parsed.search !== '' || parsed.hash !== '') {
      problems.push({
        name: 'OIDC_REDIRECT_URL',
        value: redirectUrl,
        expected: "this service's /v1/session/oidc/callback, without query or fragment",
      });
    } else if (!secureOrLoopback(redirectUrl)) {
      problems.push({
        name: 'OIDC_REDIRECT_URL',
        value: redirectUrl,
        expected: 'an https URL (http only on loopback)',
      });
    }
  }
  const scopes = values.OIDC_SCOPES as string;
  if (!scopes.split(' ').includes('openid')) {
    problems.push({ name: 'OIDC_SCOPES', value: scopes, expected: 'space-separated scope names, openid among them' });
  }
  const roleMapText = values.OIDC_ROLE_MAP as string | undefined;
  const roleMap = roleMapText === undefined ? { mappings: [], problems: [] } : parseRoleMap(roleMapText);
  for (const problem of roleMap.problems) problems.push({ name: 'OIDC_ROLE_MAP', expected: problem });
  if (problems.length > before) return undefined;
  const clientSecret = values.OIDC_CLIENT_SECRET as string | undefined;
  return {
    issuer,
    clientId: values.OIDC_CLIENT_ID as string,
    ...(clientSecret ? { clientSecret } : {}),
    redirectUrl: redirectUrl!,
    scopes,
    roleClaim: values.OIDC_ROLE_CLAIM as string,
    roleMap: roleMap.mappings,
  };
}
