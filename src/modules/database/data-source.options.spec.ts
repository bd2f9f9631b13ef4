import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/modules/config/app-config';
import { dataSourceOptions, MIGRATIONS } from '@app/modules/database/data-source.options';

const URL = 'postgres://svc:pw@db.internal:5432/risk';
const options = (env: Record<string, string> = {}): Record<string, unknown> =>
  dataSourceOptions(loadConfig({ DATABASE_URL: URL, ...env }).database!) as unknown as Record<string, unknown>;

describe('dataSourceOptions', () => {
  it('never synchronizes or migrates implicitly, and lists every migration', () => {
    expect(options()).toMatchObject({ type: 'postgres', url: URL, synchronize: false, migrationsRun: false });
    expect(options().migrations).toEqual(MIGRATIONS);
  });

  it('applies the pool settings', () => {
    const o = options({
      DATABASE_POOL_MAX: '25',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      DATABASE_IDLE_TIMEOUT_MS: '60000',
    });
    expect(o.poolSize).toBe(25);
    expect(o.extra).toEqual({
      max: 25,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 60000,
      statement_timeout: 1500,
    });
  });

  it('maps the SSL modes', () => {
    expect(options({ DATABASE_SSL_MODE: 'disable' }).ssl).toBe(false);
    expect(options({ DATABASE_SSL_MODE: 'require' }).ssl).toEqual({ rejectUnauthorized: false });
    expect(options({ DATABASE_SSL_MODE: 'verify-full' }).ssl).toEqual({ rejectUnauthorized: true });
    const ca = join(mkdtempSync(join(tmpdir(), 'rts-ca-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(options({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca }).ssl).toEqual({
      rejectUnauthorized: true,
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    });
  });
});
