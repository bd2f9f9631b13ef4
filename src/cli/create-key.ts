/**
 * `npm run key:create -- <name> <reader|editor|admin>`: makes a random API key, prints it once
 * (it is stored nowhere) and the `name:role:sha256` entry to add to API_KEYS or API_KEYS_FILE.
 */
import { createKey, ROLES, type Role } from '@app/modules/auth/api-keys';

const [name, role] = process.argv.slice(2);
if (!name || !/^[A-Za-z0-9._-]{1,64}$/.test(name) || !(ROLES as readonly string[]).includes(role ?? '')) {
  process.stderr.write(`usage: npm run key:create -- <name> <${ROLES.join('|')}>\n`);
  process.exit(2);
}
const { key, line } = createKey(name, role as Role);
process.stdout.write(
  `API key for ${name} (${role}) - shown once, store it in the client's secret store:\n  ${key}\n` +
    `Add this entry to API_KEYS (comma-separated) or a line of API_KEYS_FILE:\n  ${line}\n`,
);
