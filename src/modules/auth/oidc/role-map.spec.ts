import { claimValues, mappedRole, parseRoleMap } from '@app/modules/auth/oidc/role-map';
import { safeReturnTo } from '@app/modules/auth/http/session.schemas';
import { cookieValue } from '@app/modules/auth/sessions/session';

describe('OIDC_ROLE_MAP', () => {
  it('parses value:role entries, the role after the last colon', () => {
    expect(parseRoleMap('risk-admins:admin, risk-editors:editor ,*:reader,urn:group:x:editor')).toEqual({
      mappings: [
        { value: 'risk-admins', role: 'admin' },
        { value: 'risk-editors', role: 'editor' },
        { value: '*', role: 'reader' },
        { value: 'urn:group:x', role: 'editor' },
      ],
      problems: [],
    });
  });

  it('names each malformed entry', () => {
    expect(parseRoleMap('admins:root,editors,:reader').problems).toEqual([
      'entry 1 (admins:root): the role must be one of reader, editor, admin',
      'entry 2 (editors): expected value:role, e.g. risk-editors:editor',
      'entry 3 (:reader): expected value:role, e.g. risk-editors:editor',
    ]);
  });

  it('maps the highest role any value gives; * everyone; nothing without a match', () => {
    const { mappings } = parseRoleMap('a:reader,b:admin,c:editor');
    expect(mappedRole(['a', 'c'], mappings)).toBe('editor');
    expect(mappedRole(['c', 'b', 'a'], mappings)).toBe('admin');
    expect(mappedRole(['z'], mappings)).toBeUndefined();
    expect(mappedRole([], parseRoleMap('*:reader,b:admin').mappings)).toBe('reader');
  });

  it('reads a claim by name or dotted path, a string or the strings of a list', () => {
    const claims = { roles: ['a', 1, 'b'], group: 'g', realm_access: { roles: ['r'] }, n: null };
    expect(claimValues(claims, 'roles')).toEqual(['a', 'b']);
    expect(claimValues(claims, 'group')).toEqual(['g']);
    expect(claimValues(claims, 'realm_access.roles')).toEqual(['r']);
    expect(claimValues(claims, 'realm_access.missing')).toEqual([]);
    expect(claimValues(claims, 'n.x')).toEqual([]);
    expect(claimValues(claims, 'roles.0')).toEqual([]);
  });
});

describe('return_to', () => {
  it.each([
    [undefined, '/console/'],
    ['', '/console/'],
    ['/console/thresholds?category=financial#top', '/console/thresholds?category=financial#top'],
    ['/a/../b', '/b'],
  ])('%s is followed as %s', (given, expected) => {
    expect(safeReturnTo(given)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'evil.example/x',
    '/\t/evil.example',
    '/%0a',
    ' /x',
    '/.//evil.example/x',
    '/%2e%2e//evil.example',
    '/a/..//evil.example',
    '/%2e//x',
    `/${'é'.repeat(1100)}`,
  ])('%s is never followed', (given) => {
    const answer = safeReturnTo(given);
    if (answer !== undefined) expect(new URL(answer, 'https://service.example').origin).toBe('https://service.example');
    if (given !== '/%0a') expect(answer).toBeUndefined();
  });
});

describe('the cookie header', () => {
  it('reads our cookie by exact name, only a base64url value', () => {
    expect(cookieValue('a=1; __Host-rts-session=abc_-9; b=2', '__Host-rts-session')).toBe('abc_-9');
    expect(cookieValue('x__Host-rts-session=abc', '__Host-rts-session')).toBeUndefined();
    expect(cookieValue('__Host-rts-session="abc"', '__Host-rts-session')).toBeUndefined();
    expect(cookieValue('__Host-rts-session=', '__Host-rts-session')).toBeUndefined();
    expect(cookieValue(undefined, '__Host-rts-session')).toBeUndefined();
  });
});
