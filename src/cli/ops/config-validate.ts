import { redactUrl } from '@app/modules/database/redact-url';
import { type AppConfig, ConfigValidationError, loadConfig } from '@app/modules/config/app-config';
import { ENV_VARS } from '@app/modules/config/env.schema';
import { report, type Check, type Report } from '@app/cli/ops/report';

type Env = Readonly<Record<string, string | undefined>>;

/** Prefixes of this service's variables: an unknown name with one of them is probably a typo. */
const OWN_PREFIXES = [
  'DATABASE_',
  'RATE_LIMIT_',
  'HTTP_',
  'SHUTDOWN_',
  'LOG_',
  'CATALOG_',
  'API_KEY',
  'METRICS_',
  'MIGRATIONS_',
  'SNAPSHOT_',
  'BODY_LIMIT',
  'IMPORT_BODY',
  'CORS_',
  'REDIS_',
  'OIDC_',
  'SESSION_',
];

/**
 * Settings that are valid but risky where they are used: each a warning, never a failure
 * (the service starts with them).
 */
export function configWarnings(config: AppConfig): Check[] {
  const warnings: Check[] = [];
  const warn = (name: string, detail: string, fix: string): void => {
    warnings.push({ name, status: 'warn', detail, fix });
  };
  const production = config.nodeEnv === 'production';
  if (production && config.storage.mode === 'memory') {
    warn(
      'STORAGE',
      'memory storage in production: every change is lost at restart and replicas do not share data',
      'set DATABASE_URL (and STORAGE=postgres)',
    );
  }
  if (config.storage.mode === 'embedded') {
    warn(
      'STORAGE',
      `embedded PostgreSQL in ${config.storage.dataDir ?? 'DATA_DIR'}: for development on one machine (the service starts its own server)`,
      'to use a PostgreSQL server you run, set DATABASE_URL (with STORAGE=auto or postgres)',
    );
  }
  if (config.database && config.storage.mode !== 'postgres') {
    warn(
      'DATABASE_URL',
      `set, but not used: STORAGE=${config.storage.requested} (storage ${config.storage.mode})`,
      'set STORAGE=postgres (or auto) to use it, or unset DATABASE_URL',
    );
  }
  if (production && config.rateLimit.enabled && !config.rateLimit.redisUrl) {
    warn(
      'REDIS_URL',
      'no Redis: with several replicas each counts its own requests, so a client gets replicas x the budget',
      'set REDIS_URL when running more than one replica',
    );
  }
  if (production && !config.rateLimit.enabled) {
    warn('RATE_LIMIT_ENABLED', 'rate limiting is off in production', 'set RATE_LIMIT_ENABLED=true');
  }
  if (production && config.database?.migrationsRun) {
    warn(
      'MIGRATIONS_RUN',
      'migrations run at start in production: replicas starting together race, and a bad migration takes every pod down',
      'run `node dist/cli migrate` (`npm run -s ops -- migrate` in a checkout) as a Job before the rollout and leave MIGRATIONS_RUN unset',
    );
  }
  if (production && config.database && config.database.ssl.mode === 'disable') {
    const host = safeHost(config.database.url);
    if (host && !['localhost', '127.0.0.1', '::1', '[::1]'].includes(host)) {
      warn(
        'DATABASE_SSL_MODE',
        `database ${host} is reached without TLS`,
        'set DATABASE_SSL_MODE=verify-full (with DATABASE_SSL_CA_FILE) or require',
      );
    }
  }
  if (production && ['debug', 'trace'].includes(config.log.level)) {
    warn('LOG_LEVEL', `LOG_LEVEL=${config.log.level} in production is costly and noisy`, 'use info');
  }
  if (production && !config.metrics.http) {
    warn('METRICS_ENABLED', 'HTTP metrics are off: the dashboards and alerts see nothing', 'set METRICS_ENABLED=true');
  }
  if (config.shutdown.delayMs + config.shutdown.graceMs > 30_000) {
    warn(
      'SHUTDOWN_GRACE_MS',
      `shutdown delay + grace is ${config.shutdown.delayMs + config.shutdown.graceMs} ms, beyond Kubernetes' default 30 s terminationGracePeriodSeconds`,
      'raise terminationGracePeriodSeconds to match, or shorten SHUTDOWN_DELAY_MS/SHUTDOWN_GRACE_MS',
    );
  }
  return warnings;
}

/** Edit distance, for spotting typos of variable names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Well-known variables of other tools that share a prefix with this service's. */
const OTHERS = new Set(['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']);
const OWN_SEGMENTS = [...new Set(OWN_PREFIXES.map((p) => p.split('_')[0]))].filter((s) => s.length >= 4);

/** Variables that look like this service's but are not (a typo is silently ignored otherwise). */
export function unknownVariableWarnings(env: Env): Check[] {
  const known = ENV_VARS.map((v) => v.name);
  const looksOurs = (name: string): boolean => {
    if (!/^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(name) || known.includes(name) || OTHERS.has(name)) return false;
    const segment = name.split('_')[0];
    return (
      OWN_PREFIXES.some((p) => name.startsWith(p)) ||
      OWN_SEGMENTS.some((s) => distance(segment, s) <= 1) ||
      (name.length >= 8 && known.some((k) => distance(name, k) <= 2))
    );
  };
  return Object.keys(env)
    .filter(looksOurs)
    .sort()
    .map((name) => {
      const [near] = known
        .map((k) => ({ k, d: distance(name, k) }))
        .sort((a, b) => a.d - b.d)
        .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 3)));
      return {
        name,
        status: 'warn' as const,
        detail: `not a variable of this service${near ? ` (did you mean ${near.k}?)` : ''}; it is ignored`,
        fix: 'see docs/ENVIRONMENT_VARIABLES.md',
      };
    });
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** The effective settings, for people: no secret value, only whether it is set. */
function summary(config: AppConfig, env: Env): Record<string, unknown> {
  return {
    node_env: config.nodeEnv,
    storage: config.storage.mode,
    database: config.database && config.storage.mode === 'postgres' ? redactUrl(config.database.url) : null,
    data_dir: config.storage.dataDir ?? null,
    pool_max: config.database?.poolMax ?? null,
    migrations_run_at_start: config.database?.migrationsRun ?? null,
    api_keys: config.auth.keys.length,
    rate_limit: config.rateLimit.enabled ? (config.rateLimit.redisUrl ? 'redis' : 'local') : 'off',
    listen: `${config.http.host}:${config.http.port}`,
    variables_set: ENV_VARS.filter((v) => env[v.name] !== undefined && env[v.name] !== '').map((v) => v.name),
  };
}

/** `config:validate`: the environment against the service's own schema. */
export function validateConfig(env: Env): { report: Report; config?: AppConfig } {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const checks: Check[] = error.problems.map((p) => ({
      name: p.name,
      status: 'fail',
      detail: `${p.value === undefined ? '' : `${JSON.stringify(p.value)}: `}expected ${p.expected}`,
      fix: 'see docs/ENVIRONMENT_VARIABLES.md',
    }));
    return { report: report('config:validate', [...checks, ...unknownVariableWarnings(env)]) };
  }
  const data = summary(config, env);
  const checks: Check[] = [
    {
      name: 'config',
      status: 'ok',
      detail: `valid: NODE_ENV=${config.nodeEnv}, storage ${config.storage.mode}${typeof data.database === 'string' ? ` (${data.database})` : ''}, ${config.auth.keys.length} API key(s), rate limit ${String(data.rate_limit)}`,
    },
    ...configWarnings(config),
    ...unknownVariableWarnings(env),
  ];
  return { report: report('config:validate', checks, data), config };
}
