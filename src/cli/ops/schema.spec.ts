import { migrationChecks, type MigrationState } from '@app/cli/ops/schema';

describe('migrationChecks', () => {
  // Issue #13, finding 4: "all 6 migrations applied" with one unknown migration beside this release's 5.
  it("counts this release's migrations only, and names an unknown one apart", () => {
    const checks = migrationChecks({
      applied: ['A1', 'A2', 'A3', 'A4', 'A5', 'Stranger9'],
      pending: [],
      unknown: ['Stranger9'],
    } satisfies MigrationState);
    expect(checks.find((c) => c.name === 'migrations.pending')).toMatchObject({
      status: 'ok',
      detail: 'all 5 migrations of this release applied',
    });
    expect(checks.find((c) => c.name === 'migrations.unknown')?.detail).toContain('Stranger9');
  });

  it('names the pending migrations with the command that applies them', () => {
    const [pending] = migrationChecks({ applied: ['A1'], pending: ['A2'], unknown: [] } satisfies MigrationState);
    expect(pending).toMatchObject({ status: 'fail', fix: expect.stringContaining('node dist/cli migrate') });
  });
});
