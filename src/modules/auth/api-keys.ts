import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** `reader < editor < admin`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A configured key: only the SHA-256 of the key is kept. */
export interface ApiKey {
  name: string;
  role: Role;
  sha256: Buffer;
}

export interface Principal {
  name: string;
  role: Role;
}

/** The recognisable prefix of keys made by `npm run key:create`. */
export const KEY_PREFIX = 'rts_';

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (32 bytes) and the line that configures it. */
export function createKey(name: string, role: Role): { key: string; line: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, line: `${name}:${role}:${sha256Hex(key)}` };
}

/**
 * Parses `name:role:sha256hex` entries (comma- or newline-separated; `#` comments in files).
 * Answers the keys, or the problems (never repeating a hash or key).
 */
export function parseApiKeys(text: string): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
  entries.forEach((entry, index) => {
    const [name, role, hash, ...rest] = entry.split(':');
    if (rest.length > 0 || !name || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
      problems.push(`entry ${index + 1}: expected name:role:sha256hex with a name of 1-64 characters [A-Za-z0-9._-]`);
    } else if (role === undefined) {
      // No colon at all: most likely a raw key pasted where its hash belongs. Never echo it.
      problems.push(
        `entry ${index + 1}: expected name:role:sha256hex, not a key itself (npm run key:create prints the entry)`,
      );
    } else if (!(ROLES as readonly string[]).includes(role)) {
      problems.push(`entry ${index + 1} (${name}): role must be one of ${ROLES.join(', ')}`);
    } else if (!/^[0-9a-f]{64}$/i.test(hash ?? '')) {
      problems.push(`entry ${index + 1} (${name}): expected the SHA-256 of the key as 64 hex characters`);
    } else if (keys.some((k) => k.name === name)) {
      problems.push(`entry ${index + 1}: the name ${name} is used twice`);
    } else {
      keys.push({ name, role: role as Role, sha256: Buffer.from(hash.toLowerCase(), 'hex') });
    }
  });
  return { keys, problems };
}

/** The principal a presented key belongs to; compares every configured hash in constant time. */
export function authenticate(keys: readonly ApiKey[], presented: string): Principal | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.sha256, digest) && !found) found = key;
  }
  return found ? { name: found.name, role: found.role } : undefined;
}
