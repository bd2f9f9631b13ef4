import { loadConfig } from '@app/modules/config/app-config';
import { ApiKeyRegistry } from '@app/modules/auth/api-key.registry';
import { authenticate, createKey, KEY_PREFIX, parseApiKeys, sha256Hex } from '@app/modules/auth/api-keys';

describe('API keys', () => {
  it('creates a random key with the prefix and the line that configures its hash', () => {
    const { key, line } = createKey('svc', 'editor');
    expect(key.startsWith(KEY_PREFIX)).toBe(true);
    expect(Buffer.from(key.slice(KEY_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(line).toBe(`svc:editor:${sha256Hex(key)}`);
    expect(line).not.toContain(key);
    expect(createKey('svc', 'editor').key).not.toBe(key);
  });

  it('authenticates only a configured key, by its hash', () => {
    const a = createKey('a', 'reader');
    const b = createKey('b', 'admin');
    const { keys, problems } = parseApiKeys(`${a.line},\n# comment\n${b.line}`);
    expect(problems).toEqual([]);
    expect(authenticate(keys, a.key)).toEqual({ name: 'a', role: 'reader' });
    expect(authenticate(keys, b.key)).toEqual({ name: 'b', role: 'admin' });
    expect(authenticate(keys, `${a.key}x`)).toBeUndefined();
    expect(authenticate(keys, '')).toBeUndefined();
  });

  it('reports malformed entries without repeating them', () => {
    const { problems } = parseApiKeys(
      `x:root:${'a'.repeat(64)},y:reader:short,bad name:reader:${'b'.repeat(64)},z:admin:${'c'.repeat(64)},z:admin:${'d'.repeat(64)}`,
    );
    expect(problems).toHaveLength(4);
    expect(problems.join(' ')).not.toMatch(/aaaa|short|bbbb|dddd/);
  });

  it('in development without keys, makes one admin key for the process', () => {
    const registry = new ApiKeyRegistry(loadConfig({ NODE_ENV: 'development' }));
    expect(registry.keys).toHaveLength(1);
    expect(registry.keys[0]).toMatchObject({ name: 'local-admin', role: 'admin' });
  });
});
