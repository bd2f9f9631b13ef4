import { createTestDatabase, withDatabase, ENV_ADMIN_URL, type TestDatabase } from '@test/support/postgres';
import { runServiceToExit } from '@test/support/service-process';

interface FatalLine {
  level: string;
  msg: string;
  cause: string;
  action: string;
  reason?: string;
  exit_code: number;
  stack?: string;
}

/** The one line a failed start reports: exactly one fatal JSON line, every stdout line JSON. */
function fatalLine(stdout: string): FatalLine {
  const lines = stdout.split('\n').filter((l) => l !== '');
  for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  const parsed = lines.map((l) => JSON.parse(l) as { level: string; context?: string });
  expect(parsed.filter((l) => l.level === 'error' || l.level === 'fatal')).toHaveLength(1);
  expect(parsed.some((l) => l.context === 'ExceptionHandler')).toBe(false);
  return parsed.find((l) => l.level === 'fatal') as unknown as FatalLine;
}

// Issue #13, finding 2: a missing database and a schema that is behind exited with coloured text
// and a pg stack trace, even with JSON logs.
describe('a failed start is one JSON line with the cause and what to do, exit code 1', () => {
  const production = { NODE_ENV: 'production', STORAGE: 'postgres' };

  it('a database that does not exist', async () => {
    const url = withDatabase(process.env[ENV_ADMIN_URL]!, 'rts_no_such_database');
    const { code, stdout, stderr } = await runServiceToExit({ ...production, DATABASE_URL: url });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const line = fatalLine(stdout);
    expect(line).toMatchObject({ reason: 'database_missing', exit_code: 1 });
    expect(line.cause).toContain('rts_no_such_database');
    expect(line.action).toMatch(/create the database first/);
    expect(line.stack).toBeUndefined();
    expect(stdout).not.toContain(String.fromCharCode(27)); // no ANSI colours
    expect(stdout).not.toMatch(/at parseErrorMessage|node_modules/);
  });

  describe('with an empty database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase({ empty: true });
    });
    afterAll(() => db.drop());

    it('a schema that is behind, in production', async () => {
      const { code, stdout } = await runServiceToExit({ ...production, DATABASE_URL: db.url, MIGRATIONS_RUN: 'false' });
      expect(code).toBe(1);
      const line = fatalLine(stdout);
      expect(line.cause).toMatch(/schema is behind: \d+ migration\(s\) pending/);
      expect(line.action).toMatch(/node dist\/cli migrate.*MIGRATIONS_RUN=true/);
    });

    it('the stack trace only with LOG_LEVEL=debug', async () => {
      const { stdout } = await runServiceToExit({
        ...production,
        DATABASE_URL: db.url,
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'debug',
      });
      expect(fatalLine(stdout).stack).toMatch(/SchemaBehindError/);
    });
  });

  it('invalid configuration: every problem in the one line', async () => {
    const { code, stdout } = await runServiceToExit({ ...production, DATABASE_URL: '', PORT: 'eighty' });
    expect(code).toBe(1);
    const line = fatalLine(stdout);
    expect(line.cause).toMatch(/Invalid configuration/);
    expect(line.cause).toMatch(/PORT/);
  });

  it('LOG_FORMAT=pretty: one plain line on stderr instead', async () => {
    const url = withDatabase(process.env[ENV_ADMIN_URL]!, 'rts_no_such_database');
    const { code, stderr } = await runServiceToExit({ STORAGE: 'postgres', DATABASE_URL: url, LOG_FORMAT: 'pretty' });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^start-up failed: database: database "rts_no_such_database" does not exist\n {2}what to do: create/,
    );
  });
});
