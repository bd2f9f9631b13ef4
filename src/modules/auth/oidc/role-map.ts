import { ROLES, type Role } from '@app/modules/auth/api-keys';

/** One `value:role` entry of OIDC_ROLE_MAP; `*` matches every signed-in person. */
export interface RoleMapping {
  value: string;
  role: Role;
}

/**
 * Parses OIDC_ROLE_MAP: comma-separated `value:role` entries, e.g.
 * `risk-admins:admin,risk-editors:editor,*:reader`. The role is after the last colon, so a value
 * may hold colons itself (some providers' group names do).
 */
export function parseRoleMap(text: string): { mappings: RoleMapping[]; problems: string[] } {
  const mappings: RoleMapping[] = [];
  const problems: string[] = [];
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  entries.forEach((entry, index) => {
    const colon = entry.lastIndexOf(':');
    const value = colon === -1 ? '' : entry.slice(0, colon).trim();
    const role = colon === -1 ? '' : entry.slice(colon + 1).trim();
    if (value === '') {
      problems.push(`entry ${index + 1} (${entry}): expected value:role, e.g. risk-editors:editor`);
    } else if (!(ROLES as readonly string[]).includes(role)) {
      problems.push(`entry ${index + 1} (${entry}): the role must be one of ${ROLES.join(', ')}`);
    } else {
      mappings.push({ value, role: role as Role });
    }
  });
  if (entries.length > 0 && mappings.length === 0 && problems.length === 0) problems.push('no entries');
  return { mappings, problems };
}

/**
 * The claim at a dotted path (`roles`, `groups`, Keycloak's `realm_access.roles`), as strings: a
 * string claim is one value, an array its string members; anything else none.
 */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let node: unknown = claims;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The highest role any of the values maps to (`*` maps everyone), or undefined: no access. */
export function mappedRole(values: readonly string[], mappings: readonly RoleMapping[]): Role | undefined {
  let best: Role | undefined;
  for (const m of mappings) {
    if (m.value !== '*' && !values.includes(m.value)) continue;
    if (best === undefined || ROLES.indexOf(m.role) > ROLES.indexOf(best)) best = m.role;
  }
  return best;
}
