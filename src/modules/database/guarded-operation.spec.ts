import { DatabaseUnavailableError } from '@app/modules/database/database.service';
import { guardedOperation, RETRY_AFTER_SECONDS } from '@app/modules/database/guarded-operation';
import { UnavailableError } from '@app/modules/thresholds/domain/errors';

describe('guardedOperation', () => {
  const observed: { operation: string; outcome: string }[] = [];
  const histogram = {
    observe: ((labels: { operation: string; outcome: string }) => void observed.push(labels)) as never,
  };
  const failing = (error: Error): { run: () => Promise<never> } => ({ run: () => Promise.reject(error) });
  beforeEach(() => (observed.length = 0));

  it('answers the work and times it as ok', async () => {
    await expect(
      guardedOperation({ run: (work) => work({} as never) }, histogram, 'read', async () => 7),
    ).resolves.toBe(7);
    expect(observed).toEqual([{ operation: 'read', outcome: 'ok' }]);
  });

  it('a database down is a 503 with Retry-After', async () => {
    const error = await guardedOperation(
      failing(new DatabaseUnavailableError()),
      histogram,
      'read',
      async () => 1,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryAfterSeconds).toBe(RETRY_AFTER_SECONDS);
    expect(observed).toEqual([{ operation: 'read', outcome: 'unavailable' }]);
  });

  it('a statement cancelled by its timeout (SQLSTATE 57014) is a 503 saying so, not an unexpected error', async () => {
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const error = await guardedOperation(failing(cancelled), histogram, 'read', async () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain('did not answer in time');
    expect(observed).toEqual([{ operation: 'read', outcome: 'timeout' }]);
  });

  it('any other error passes through', async () => {
    const other = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(guardedOperation(failing(other), histogram, 'write', async () => 1)).rejects.toBe(other);
    expect(observed).toEqual([{ operation: 'write', outcome: 'error' }]);
  });
});
