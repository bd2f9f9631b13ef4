/**
 * Every environment variable the service reads: one schema, validated once at boot.
 * `.env.example` and `docs/ENVIRONMENT_VARIABLES.md` are generated from this list
 * (`npm run env:docs`) and a test keeps them equal to it.
 */
import { z } from 'zod';
import { DEFAULT_REQUEST_LOG_POLICY, parseRequestLogPolicy } from '@app/modules/logging/request-log-policy';

export interface EnvVar {
  name: string;
  /** Parses the raw string (already defaulted). */
  schema: z.ZodType;
  /** The value used when the variable is unset or empty; none for secrets. */
  default?: string;
  description: string;
  /** Never printed, in errors or logs. */
  secret?: boolean;
  /** A realistic value (placeholders in <angle brackets> for secrets); a test parses the others. */
  example: string;
  /** Where the variable must be set (beyond its default), in words; absent: never required. */
  requiredWhere?: string;
}

const port = z.coerce
  .number({ error: 'an integer from 1 to 65535' })
  .int({ error: 'an integer from 1 to 65535' })
  .min(1, { error: 'an integer from 1 to 65535' })
  .max(65535, { error: 'an integer from 1 to 65535' });

const bytes = (max: number): z.ZodType<number> =>
  z
    .string()
    .regex(/^\d+$/, { error: `a whole number of bytes from 1024 to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1024, { error: `a whole number of bytes from 1024 to ${max}` })
        .max(max, { error: `a whole number of bytes from 1024 to ${max}` }),
    );

const intRange = (min: number, max: number): z.ZodType<number> =>
  z
    .string()
    .regex(/^\d+$/, { error: `an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `an integer from ${min} to ${max}` })
        .max(max, { error: `an integer from ${min} to ${max}` }),
    );

const oneOf = <T extends string>(values: readonly [T, ...T[]]): z.ZodType<T> =>
  z.enum(values, { error: `one of: ${values.join(', ')}` });

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const STORAGE_MODES = ['auto', 'postgres', 'embedded', 'memory'] as const;
export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export const MIGRATIONS_RUN_MODES = ['auto', 'true', 'false'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export const ENV_VARS: readonly EnvVar[] = [
  {
    name: 'NODE_ENV',
    example: 'production',
    schema: oneOf(NODE_ENVS),
    default: 'development',
    description: 'Runtime environment: development, test or production.',
  },
  {
    name: 'HOST',
    example: '0.0.0.0',
    schema: z.string().min(1, { error: 'a host name or IP address to listen on' }),
    default: '0.0.0.0',
    description: 'Address the HTTP server listens on.',
  },
  { name: 'PORT', example: '8080', schema: port, default: '8080', description: 'Port the HTTP server listens on.' },
  {
    name: 'STORAGE',
    example: 'postgres',
    schema: oneOf(STORAGE_MODES),
    default: 'auto',
    description:
      'Threshold store: postgres (DATABASE_URL), embedded (a PostgreSQL server the service starts itself, data in DATA_DIR; not in production), memory (throwaway: lost on exit) or auto (postgres when DATABASE_URL is set, else embedded outside production).',
  },
  {
    name: 'DATA_DIR',
    example: './.data',
    schema: z.string().min(1, { error: 'a directory path' }),
    default: './.data',
    description:
      'Where the embedded PostgreSQL server (STORAGE=embedded, or auto without DATABASE_URL) keeps its data; created on first start. One service per directory.',
  },
  {
    name: 'DATABASE_URL',
    example: 'postgres://risk:<password>@db.internal:5432/risk',
    requiredWhere: 'production, STORAGE=postgres (and for the migration and db: commands)',
    schema: z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// or postgresql:// URL' }),
    default: '',
    description:
      'PostgreSQL connection URL, e.g. postgres://user:password@host:5432/db (create the database first). Unset: the embedded server (outside production).',
    secret: true,
  },
  {
    name: 'DATABASE_POOL_MAX',
    example: '10',
    schema: intRange(1, 200),
    default: '10',
    description: 'Most connections the pool opens.',
  },
  {
    name: 'DATABASE_POOL_MAX_WAITING',
    example: '10',
    schema: intRange(0, 10_000),
    default: '10',
    description:
      'Health: the database check is down (pool saturated) when more clients than this wait for a connection.',
  },
  {
    name: 'DATABASE_CONNECT_TIMEOUT_MS',
    example: '5000',
    schema: intRange(100, 120_000),
    default: '5000',
    description: 'How long opening a connection may take, in milliseconds.',
  },
  {
    name: 'DATABASE_STATEMENT_TIMEOUT_MS',
    example: '5000',
    schema: intRange(100, 600_000),
    default: '5000',
    description: 'Server-side statement timeout of every query, in milliseconds.',
  },
  {
    name: 'DATABASE_IDLE_TIMEOUT_MS',
    example: '30000',
    schema: intRange(1000, 3_600_000),
    default: '30000',
    description: 'How long an idle pooled connection is kept, in milliseconds.',
  },
  {
    name: 'DATABASE_SSL_MODE',
    example: 'verify-full',
    schema: oneOf(SSL_MODES),
    default: 'disable',
    description: 'TLS to PostgreSQL: disable, require (encrypted, server not verified) or verify-full.',
  },
  {
    name: 'DATABASE_SSL_CA_FILE',
    example: '/etc/risk-threshold-service/db-ca/ca.crt',
    schema: z.string(),
    default: '',
    description: 'PEM file of the CA that signed the server certificate (verify-full); system CAs when empty.',
  },
  {
    name: 'MIGRATIONS_RUN',
    example: 'false',
    schema: oneOf(MIGRATIONS_RUN_MODES),
    default: 'auto',
    description: 'Run pending migrations at start: true, false, or auto (true unless NODE_ENV=production).',
  },
  {
    name: 'CATALOG_RESYNC_INTERVAL_MS',
    example: '30000',
    schema: intRange(100, 3_600_000),
    default: '30000',
    description:
      'How often each replica checks the store for changes it missed (a cheap revision query; full reload only on change).',
  },
  {
    name: 'SNAPSHOT_PATH',
    example: '/var/cache/risk-threshold-service/snapshot.json',
    schema: z.string(),
    default: '',
    description:
      'File where the last good threshold snapshot is kept, to serve (marked stale) when the database is unreachable at start. Empty: off.',
  },
  {
    name: 'SHUTDOWN_DELAY_MS',
    example: '1000',
    schema: intRange(0, 600_000),
    default: '',
    description:
      'After SIGTERM, how long readiness answers 503 while requests are still served (load balancers stop routing), before the server closes. Unset: 5000 in production, 0 elsewhere (no load balancer in front of a development server).',
  },
  {
    name: 'CHANGE_APPROVALS',
    example: '1',
    schema: intRange(0, 5),
    default: '',
    description:
      'Distinct approvals a change request needs before it applies (0-5). With 1 or more, direct threshold writes and non-dry-run imports answer 409 APPROVAL_REQUIRED: every change goes through a change request. Unset: 1 in production, 0 elsewhere.',
  },
  {
    name: 'CHANGE_SCHEDULER_INTERVAL_MS',
    example: '1000',
    schema: intRange(100, 60_000),
    default: '1000',
    description:
      'How often each replica looks for scheduled change requests that are due (one replica claims each); a due request applies within this interval of its time.',
  },
  {
    name: 'SCORE_CAPTURE',
    example: 'true',
    schema: oneOf(['true', 'false'] as const),
    default: 'true',
    description:
      'Count every classification under (UTC day, category, industry code, business type, score to 2 decimals) for the score distribution and impact analysis; counts only, no identifiers (false: off).',
  },
  {
    name: 'SCORE_FLUSH_INTERVAL_MS',
    example: '10000',
    schema: intRange(100, 600_000),
    default: '10000',
    description:
      'How often each replica adds its score counts to PostgreSQL (and once at shutdown); a crash loses at most this interval.',
  },
  {
    name: 'SCORE_CAPTURE_MAX_KEYS',
    example: '200000',
    schema: intRange(1, 10_000_000),
    default: '200000',
    description:
      'Distinct (day, key, score) counts held in memory between flushes (and while the database is down); beyond, observations are dropped and counted in risk_score_observations_dropped_total, never slowing a classification.',
  },
  {
    name: 'SCORE_RETENTION_DAYS',
    example: '400',
    schema: intRange(1, 3650),
    default: '400',
    description: 'How long score observations are kept; whole months are dropped once every day of them is older.',
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    example: '20000',
    schema: intRange(1000, 600_000),
    default: '25000',
    description:
      'After SIGTERM, the most the whole shutdown may take (delay + in-flight requests + closing the pool) before the process exits anyway (code 1). Keep it below the orchestrator grace period.',
  },
  {
    name: 'LOG_LEVEL',
    example: 'info',
    schema: oneOf(LOG_LEVELS),
    default: 'info',
    description: 'Lowest level logged: fatal, error, warn, info, debug or trace.',
  },
  {
    name: 'LOG_FORMAT',
    example: 'json',
    schema: oneOf(LOG_FORMATS),
    default: 'json',
    description: 'json (one JSON line per event) or pretty (human-readable, local use only; refused in production).',
  },
  {
    name: 'REQUEST_LOG_POLICY',
    example: 'classify=all',
    schema: z.string().superRefine((value, ctx) => {
      try {
        parseRequestLogPolicy(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    default: DEFAULT_REQUEST_LOG_POLICY,
    description:
      "Which answers get a request line, per route, on top of the built-in default (every line, but 1 in 100 successful answers of classify, batch, list, get by id and match): comma-separated key=policy, each replacing the built-in entries it covers (a route's; a budget's and its routes'; default: all of them); key default, a budget (read, classify, write, signIn, none) or a route ('GET /v1/risk/thresholds/:id'); policy all, errors (4xx, 5xx and slow answers) or 1/N (those plus one in N of the others). See docs/OBSERVABILITY.md.",
  },
  {
    name: 'REQUEST_LOG_SLOW_MS',
    example: '500',
    schema: intRange(1, 600_000),
    default: '500',
    description: "An answer at least this slow (ms) is logged whatever the route's REQUEST_LOG_POLICY.",
  },
  {
    name: 'METRICS_ENABLED',
    example: 'true',
    schema: oneOf(['true', 'false'] as const),
    default: 'true',
    description:
      'Record HTTP request metrics (false: /metrics still answers, without request series; for measuring their cost).',
  },
  {
    name: 'API_KEYS',
    example: 'frontend:reader:<sha256-hex>,admin-ui:admin:<sha256-hex>',
    requiredWhere: 'production (this or API_KEYS_FILE)',
    schema: z.string(),
    default: '',
    description:
      'API keys as name:role:sha256hex entries, comma-separated (role: reader, editor or admin; the SHA-256 of the key, never the key). Create one with npm run key:create.',
    secret: true,
  },
  {
    name: 'API_KEYS_FILE',
    example: '/etc/risk-threshold-service/api-keys',
    requiredWhere: 'production (this or API_KEYS)',
    schema: z.string(),
    default: '',
    description: 'A file of name:role:sha256hex lines (# comments allowed), read at start, in addition to API_KEYS.',
  },
  {
    name: 'SESSION_IDLE_TIMEOUT_MS',
    example: '1800000',
    schema: intRange(60_000, 86_400_000),
    default: '1800000',
    description:
      "A person's session ends after this long without a request, in milliseconds (default 30 minutes; at most SESSION_ABSOLUTE_TIMEOUT_MS).",
  },
  {
    name: 'SESSION_ABSOLUTE_TIMEOUT_MS',
    example: '43200000',
    schema: intRange(60_000, 2_592_000_000),
    default: '43200000',
    description:
      "A person's session ends this long after sign-in whatever its use, in milliseconds (default 12 hours).",
  },
  {
    name: 'SESSION_KEY_SIGN_IN',
    example: 'auto',
    schema: oneOf(['auto', 'true', 'false'] as const),
    default: 'auto',
    description:
      "Whether a person may sign in with their own API key (POST /v1/session): true, false, or auto (true unless OIDC_ISSUER is set: where people sign in at the provider, a personal key would be a second identity that four-eyes review counts as another person). Machines' keys work either way.",
  },
  {
    name: 'OIDC_ISSUER',
    example: 'https://login.example.com/realms/risk',
    schema: z.url({ protocol: /^https?$/, error: 'an http(s) URL of an OpenID Connect issuer' }),
    default: '',
    description:
      "The organisation's OpenID Connect issuer (its discovery document is at <issuer>/.well-known/openid-configuration); people then sign in there (docs/SIGN_IN.md). https, or http on loopback only. Unset: people sign in with their own API key.",
  },
  {
    name: 'OIDC_CLIENT_ID',
    example: 'risk-threshold-service',
    requiredWhere: 'with OIDC_ISSUER',
    schema: z.string().max(255, { error: 'at most 255 characters' }),
    default: '',
    description: "This service's client id at the provider.",
  },
  {
    name: 'OIDC_CLIENT_SECRET',
    example: '<client-secret>',
    schema: z.string(),
    default: '',
    description:
      "This service's client secret at the provider (sent as client_secret_basic). Unset: a public client (PKCE alone).",
    secret: true,
  },
  {
    name: 'OIDC_REDIRECT_URL',
    example: 'https://risk.example.com/v1/session/oidc/callback',
    requiredWhere: 'with OIDC_ISSUER',
    schema: z.url({ protocol: /^https?$/, error: 'an http(s) URL ending in /v1/session/oidc/callback' }),
    default: '',
    description:
      "Where the provider sends people back: this service's /v1/session/oidc/callback as browsers reach it (register the same URL at the provider). https, or http on loopback only.",
  },
  {
    name: 'OIDC_SCOPES',
    example: 'openid email profile',
    schema: z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, {
      error: 'space-separated scope names, openid among them',
    }),
    default: 'openid email profile',
    description:
      'Scopes asked of the provider, space-separated (openid is required; add the scope that puts OIDC_ROLE_CLAIM in the ID token if the provider needs one).',
  },
  {
    name: 'OIDC_ROLE_CLAIM',
    example: 'roles',
    schema: z.string().regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/, { error: 'a claim name, or a dotted path' }),
    default: 'roles',
    description:
      "The ID token claim that holds a person's roles or groups (a string or a list); a dotted path reaches into an object, e.g. realm_access.roles (Keycloak).",
  },
  {
    name: 'OIDC_ROLE_MAP',
    example: 'risk-admins:admin,risk-editors:editor,*:reader',
    requiredWhere: 'with OIDC_ISSUER',
    schema: z.string(),
    default: '',
    description:
      'Which claim values give which role: comma-separated value:role entries (reader, editor or admin), the highest match wins, * matches everyone signed in. A person with no mapped role gets no access.',
  },
  {
    name: 'RATE_LIMIT_ENABLED',
    example: 'true',
    schema: oneOf(['true', 'false'] as const),
    default: 'true',
    description: 'Rate limiting per client (false: off, e.g. for benchmarks or trusted internal callers).',
  },
  {
    name: 'RATE_LIMIT_WINDOW_MS',
    example: '60000',
    schema: intRange(1000, 3_600_000),
    default: '60000',
    description: 'Length of a rate-limit window, in milliseconds.',
  },
  {
    name: 'RATE_LIMIT_READS',
    example: '6000',
    schema: intRange(1, 10_000_000),
    default: '6000',
    description: 'Reads (GET /v1/...) per client per window.',
  },
  {
    name: 'RATE_LIMIT_CLASSIFY',
    example: '60000',
    schema: intRange(1, 10_000_000),
    default: '60000',
    description: 'Classification requests (POST /v1/risk/classify, /classify/batch) per client per window.',
  },
  {
    name: 'RATE_LIMIT_WRITES',
    example: '120',
    schema: intRange(1, 10_000_000),
    default: '120',
    description: 'Writes (POST/PUT/PATCH/DELETE /v1/admin/...) per client per window.',
  },
  {
    name: 'RATE_LIMIT_SIGN_IN',
    example: '30',
    schema: intRange(1, 1_000_000),
    default: '30',
    description: 'Sign-in attempts (POST /v1/session, the provider sign-in and its callback) per client IP per window.',
  },
  {
    name: 'REDIS_URL',
    example: 'redis://:<password>@redis.internal:6379',
    requiredWhere: 'production with more than one replica (recommended)',
    schema: z.url({ protocol: /^rediss?$/, error: 'a redis:// or rediss:// URL' }),
    default: '',
    description:
      'Redis for rate-limit counters shared by replicas (unset: counted in each process). If Redis fails, counting falls back to the process until it returns.',
    secret: true,
  },
  {
    name: 'TRUST_PROXY',
    example: '10.0.0.0/8',
    schema: z
      .string()
      .regex(/^[0-9a-fA-F.:/,\s]+$/, { error: 'a comma-separated list of proxy IP addresses or CIDR ranges' }),
    default: '',
    description:
      'Proxies whose X-Forwarded-For is trusted for the client IP (comma-separated IPs/CIDRs). Empty: the header is ignored.',
  },
  {
    name: 'CORS_ORIGINS',
    example: 'https://admin.example.com',
    schema: z.string().regex(/^(https?:\/\/[A-Za-z0-9.-]+(:\d+)?)(\s*,\s*https?:\/\/[A-Za-z0-9.-]+(:\d+)?)*$/, {
      error: 'a comma-separated list of origins like https://admin.example.com',
    }),
    default: '',
    description: 'Browser origins allowed to call the API (CORS), comma-separated. Empty: no cross-origin access.',
  },
  {
    name: 'HTTP_REQUEST_TIMEOUT_MS',
    example: '30000',
    schema: intRange(1000, 600_000),
    default: '30000',
    description: 'Longest time a client may take to send a whole request (headers and body), in milliseconds.',
  },
  {
    name: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    example: '65000',
    schema: intRange(1000, 600_000),
    default: '65000',
    description:
      'How long an idle keep-alive connection is kept, in milliseconds (above the load balancer idle timeout).',
  },
  {
    name: 'BODY_LIMIT_BYTES',
    example: '1048576',
    schema: bytes(100 * 1024 * 1024),
    default: '1048576',
    description: 'Largest request body accepted, in bytes (413 above it).',
  },
  {
    name: 'IMPORT_BODY_LIMIT_BYTES',
    example: '10485760',
    schema: bytes(1024 * 1024 * 1024),
    default: '10485760',
    description: 'Largest body accepted by the threshold import endpoint, in bytes.',
  },
];
