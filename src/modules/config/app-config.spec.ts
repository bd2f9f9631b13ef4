import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from '@app/modules/config/app-config';
import { renderEnvExample, renderEnvMarkdown } from '@app/modules/config/env-docs';
import { ENV_VARS } from '@app/modules/config/env.schema';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 8080,
      bodyLimitBytes: 1048576,
      importBodyLimitBytes: 10485760,
      requestTimeoutMs: 30000,
      keepAliveTimeoutMs: 65000,
      corsOrigins: [],
    });
    expect(config.storage).toMatchObject({
      mode: 'embedded',
      requested: 'auto',
      dataDir: join(process.cwd(), '.data'),
    });
    expect(config.log.level).toBe('info');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(8080);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '9000',
      STORAGE: 'memory',
      LOG_LEVEL: 'debug',
      BODY_LIMIT_BYTES: '2048',
      IMPORT_BODY_LIMIT_BYTES: '4096',
      API_KEYS: `ops:admin:${'a'.repeat(64)}`,
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      http: { host: '127.0.0.1', port: 9000, bodyLimitBytes: 2048, importBodyLimitBytes: 4096 },
      storage: { requested: 'memory' },
      log: { level: 'debug' },
    });
  });

  it('lists every problem in one error, with name, value and what was expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '70000', NODE_ENV: 'staging', STORAGE: 'redis', BODY_LIMIT_BYTES: '1mb', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const { problems, message } = error as ConfigValidationError;
    expect(problems.map((p) => p.name).sort()).toEqual([
      'BODY_LIMIT_BYTES',
      'LOG_LEVEL',
      'NODE_ENV',
      'PORT',
      'STORAGE',
    ]);
    expect(message).toContain('5 problems');
    expect(message).toContain('PORT="70000": expected an integer from 1 to 65535');
    expect(message).toContain('NODE_ENV="staging": expected one of: development, test, production');
  });

  it('selects the store: auto is postgres with DATABASE_URL, the embedded server without', () => {
    expect(loadConfig({}).storage.mode).toBe('embedded');
    expect(loadConfig({ STORAGE: 'memory' }).storage.mode).toBe('memory');
    expect(loadConfig({ STORAGE: 'embedded', DATA_DIR: 'var/rts' }).storage).toEqual({
      mode: 'embedded',
      requested: 'embedded',
      dataDir: join(process.cwd(), 'var/rts'),
      embedded: {
        poolMax: 10,
        poolMaxWaiting: 10,
        connectTimeoutMs: 5000,
        statementTimeoutMs: 5000,
        idleTimeoutMs: 30000,
        ssl: { mode: 'disable' },
        migrationsRun: true,
      },
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/risk' }).storage.mode).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/risk', STORAGE: 'memory' }).storage.mode).toBe('memory');
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/risk', STORAGE: 'postgres' }).database).toEqual({
      url: 'postgres://u:p@db:5432/risk',
      poolMax: 10,
      poolMaxWaiting: 10,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 5000,
      idleTimeoutMs: 30000,
      ssl: { mode: 'disable' },
      migrationsRun: true,
    });
  });

  it('runs migrations at start by default outside production only', () => {
    const url = 'postgres://db/risk';
    const production = { NODE_ENV: 'production', API_KEYS: `ops:admin:${'a'.repeat(64)}` };
    expect(loadConfig({ DATABASE_URL: url }).database?.migrationsRun).toBe(true);
    expect(loadConfig({ DATABASE_URL: url, ...production }).database?.migrationsRun).toBe(false);
    expect(loadConfig({ DATABASE_URL: url, ...production, MIGRATIONS_RUN: 'true' }).database?.migrationsRun).toBe(true);
  });

  it('refuses production without API keys, and never prints a key entry', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/API_KEYS: expected at least one key in production/);
    try {
      loadConfig({ API_KEYS: 'ops:admin:not-a-hash-but-a-secret-key' });
      throw new Error('expected a configuration error');
    } catch (e) {
      expect((e as Error).message).toContain('API_KEYS');
      expect((e as Error).message).not.toContain('not-a-hash-but-a-secret-key');
    }
    // A raw key pasted without name and role looks like a name: it is not echoed either.
    try {
      loadConfig({ API_KEYS: 'rts_RawSecretKeyPastedByMistake123' });
      throw new Error('expected a configuration error');
    } catch (e) {
      expect((e as Error).message).toContain('not a key itself');
      expect((e as Error).message).not.toContain('RawSecretKeyPastedByMistake');
    }
  });

  it('refuses production without DATABASE_URL, naming it, and the embedded server in production', () => {
    const production = { NODE_ENV: 'production', API_KEYS: `ops:admin:${'a'.repeat(64)}` };
    expect(() => loadConfig(production)).toThrow(/DATABASE_URL: expected a PostgreSQL URL in production/);
    expect(() => loadConfig({ ...production, STORAGE: 'embedded' })).toThrow(/STORAGE="embedded": expected postgres/);
    expect(loadConfig({ ...production, STORAGE: 'memory' }).storage.mode).toBe('memory');
    expect(loadConfig({ ...production, DATABASE_URL: 'postgres://db/risk' }).storage.mode).toBe('postgres');
  });

  it('requires DATABASE_URL for STORAGE=postgres, and a readable CA file', () => {
    expect(() => loadConfig({ STORAGE: 'postgres' })).toThrow(
      /DATABASE_URL: expected a PostgreSQL URL, because STORAGE=postgres/,
    );
    expect(() => loadConfig({ DATABASE_SSL_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/DATABASE_SSL_CA_FILE/);
  });

  it('OIDC: all of issuer, client id, redirect URL and role map, or none; each problem named', () => {
    const complete = {
      OIDC_ISSUER: 'https://login.example.com/realms/risk',
      OIDC_CLIENT_ID: 'risk',
      OIDC_CLIENT_SECRET: 'client-s3cret',
      OIDC_REDIRECT_URL: 'https://risk.example.com/v1/session/oidc/callback',
      OIDC_ROLE_MAP: 'risk-admins:admin,*:reader',
    };
    expect(loadConfig(complete).signIn.oidc).toEqual({
      issuer: complete.OIDC_ISSUER,
      clientId: 'risk',
      clientSecret: 'client-s3cret',
      redirectUrl: complete.OIDC_REDIRECT_URL,
      scopes: 'openid email profile',
      roleClaim: 'roles',
      roleMap: [
        { value: 'risk-admins', role: 'admin' },
        { value: '*', role: 'reader' },
      ],
    });
    expect(loadConfig({}).signIn).toEqual({ idleMs: 1_800_000, absoluteMs: 43_200_000, keySignIn: true });
    expect(loadConfig(complete).signIn.keySignIn).toBe(false);
    expect(loadConfig({ ...complete, SESSION_KEY_SIGN_IN: 'true' }).signIn.keySignIn).toBe(true);
    const problems = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problems({ OIDC_ISSUER: complete.OIDC_ISSUER })).toMatch(
      /OIDC_CLIENT_ID: expected a value, because OIDC_ISSUER is set[\s\S]*OIDC_REDIRECT_URL: expected a value[\s\S]*OIDC_ROLE_MAP: expected a value/,
    );
    expect(problems({ OIDC_CLIENT_ID: 'risk' })).toContain(
      "OIDC_ISSUER: expected the provider's issuer URL, because OIDC_CLIENT_ID is set",
    );
    expect(problems({ ...complete, OIDC_ISSUER: 'http://login.example.com' })).toContain(
      'OIDC_ISSUER="http://login.example.com": expected an https URL (http only on loopback)',
    );
    expect(problems({ ...complete, OIDC_REDIRECT_URL: 'https://risk.example.com/callback' })).toContain(
      "this service's /v1/session/oidc/callback",
    );
    expect(problems({ ...complete, OIDC_ROLE_MAP: 'admins:root' })).toContain('OIDC_ROLE_MAP: expected entry 1');
    expect(problems({ ...complete, OIDC_SCOPES: 'email profile' })).toContain('openid among them');
    expect(problems({ ...complete, OIDC_ISSUER: 'http://127.0.0.1:9000' })).toBe('');
    expect(problems({ ...complete, OIDC_ISSUER: 'ftp://x' })).not.toContain('client-s3cret');
    expect(problems({ SESSION_IDLE_TIMEOUT_MS: '7200000', SESSION_ABSOLUTE_TIMEOUT_MS: '3600000' })).toContain(
      'SESSION_IDLE_TIMEOUT_MS="7200000": expected at most SESSION_ABSOLUTE_TIMEOUT_MS (3600000)',
    );
  });

  it('never prints DATABASE_URL, which holds a password', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://admin:s3cret-pw@db/risk', PORT: '0' });
      throw new Error('expected a configuration error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigValidationError);
      expect((e as Error).message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
      expect((e as Error).message).not.toContain('s3cret-pw');
    }
  });

  it('never prints the value of a secret variable', () => {
    const secret = {
      name: 'TEST_SECRET',
      schema: ENV_VARS[2].schema,
      description: 'a secret',
      secret: true,
      example: '80',
    };
    (ENV_VARS as unknown as object[]).push(secret);
    try {
      expect(() => loadConfig({ TEST_SECRET: 'hunter2-not-a-port' })).toThrow(ConfigValidationError);
      try {
        loadConfig({ TEST_SECRET: 'hunter2-not-a-port' });
      } catch (e) {
        expect((e as Error).message).toContain('TEST_SECRET');
        expect((e as Error).message).not.toContain('hunter2');
      }
    } finally {
      (ENV_VARS as unknown as object[]).pop();
    }
  });
});

describe('environment documentation', () => {
  const root = join(__dirname, '..', '..', '..');

  it('.env.example lists every variable of the schema with its default (npm run docs:generate)', () => {
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
    const names = readFileSync(join(root, '.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(names).toEqual(ENV_VARS.map((v) => v.name));
  });

  it('docs/ENVIRONMENT_VARIABLES.md is the schema (npm run docs:generate)', () => {
    expect(readFileSync(join(root, 'docs', 'ENVIRONMENT_VARIABLES.md'), 'utf8')).toBe(renderEnvMarkdown());
  });

  it('every variable has an example its schema accepts (placeholders aside), and required ones say where', () => {
    for (const v of ENV_VARS) {
      expect({ name: v.name, example: v.example.length > 0 }).toEqual({ name: v.name, example: true });
      if (!v.example.includes('<'))
        expect({ name: v.name, ok: v.schema.safeParse(v.example).success }).toEqual({ name: v.name, ok: true });
    }
    const required = ENV_VARS.filter((v) => v.requiredWhere).map((v) => v.name);
    expect(required).toEqual(expect.arrayContaining(['DATABASE_URL', 'API_KEYS']));
    // What the docs call required is what loadConfig refuses without it.
    expect(() => loadConfig({ STORAGE: 'postgres' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', STORAGE: 'memory' })).toThrow(/API_KEYS/);
  });

  it('.env.example parses into a valid configuration', () => {
    const env = Object.fromEntries(
      readFileSync(join(root, '.env.example'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });
});
