import type { EdgeRouteConfig } from '@app/modules/http/edge/route-config';
import {
  DEFAULT_REQUEST_LOG_POLICY,
  keepsLine,
  parseRequestLogPolicy,
  policyFor,
  requestLogPolicies,
} from '@app/modules/logging/request-log-policy';

describe('REQUEST_LOG_POLICY', () => {
  it('reads keys (default, a budget, a route) and policies (all, errors, 1/N)', () => {
    const policies = parseRequestLogPolicy(
      ' default=errors , classify=1/10,GET /v1/risk/thresholds/:id=all, write=1/1,POST  /v1/admin/risk/impact=errors',
    );
    expect(Object.fromEntries(policies)).toEqual({
      default: { kind: 'errors' },
      classify: { kind: 'sample', every: 10 },
      'GET /v1/risk/thresholds/:id': { kind: 'all' },
      write: { kind: 'all' },
      'POST /v1/admin/risk/impact': { kind: 'errors' },
    });
    expect(policyFor(policies, 'GET', '/v1/risk/thresholds/:id', 'read')).toEqual({ kind: 'all' });
    expect(policyFor(policies, 'HEAD', '/v1/risk/thresholds/:id', 'read')).toEqual({ kind: 'all' });
    expect(policyFor(policies, 'POST', '/v1/risk/classify', 'classify')).toEqual({ kind: 'sample', every: 10 });
    expect(policyFor(policies, 'GET', '/v1/admin/risk/thresholds', 'read')).toEqual({ kind: 'errors' });
    expect(policyFor(new Map(), 'GET', '/v1/admin/risk/thresholds', 'read')).toEqual({ kind: 'all' });
  });

  it('lays the operator’s entries over the default, each replacing the built-in entries it covers', () => {
    const sampled = { kind: 'sample', every: 100 };
    // A budget's entry: that budget alone.
    let policies = requestLogPolicies('classify=all');
    expect(policyFor(policies, 'POST', '/v1/risk/classify', 'classify')).toEqual({ kind: 'all' });
    expect(policyFor(policies, 'GET', '/v1/risk/thresholds/:id', 'read')).toEqual(sampled);
    // The reads' budget reaches the hot reads the default names one by one; classify keeps its own.
    policies = requestLogPolicies('read=errors');
    for (const url of ['/v1/risk/thresholds', '/v1/risk/thresholds/:id', '/v1/risk/thresholds/match']) {
      expect(policyFor(policies, 'GET', url, 'read')).toEqual({ kind: 'errors' });
    }
    expect(policyFor(policies, 'POST', '/v1/risk/classify', 'classify')).toEqual(sampled);
    // A route's entry: that route alone.
    policies = requestLogPolicies('GET /v1/risk/thresholds/:id=all');
    expect(policyFor(policies, 'GET', '/v1/risk/thresholds/:id', 'read')).toEqual({ kind: 'all' });
    expect(policyFor(policies, 'GET', '/v1/risk/thresholds', 'read')).toEqual(sampled);
    // default: every built-in entry; what is given stays.
    policies = requestLogPolicies('default=errors, classify=all');
    expect(policyFor(policies, 'POST', '/v1/risk/classify', 'classify')).toEqual({ kind: 'all' });
    expect(policyFor(policies, 'GET', '/v1/risk/thresholds/:id', 'read')).toEqual({ kind: 'errors' });
    expect(policyFor(policies, 'PATCH', '/v1/admin/risk/thresholds/:id', 'write')).toEqual({ kind: 'errors' });
    expect(requestLogPolicies('')).toEqual(parseRequestLogPolicy(DEFAULT_REQUEST_LOG_POLICY));
  });

  it('refuses what it cannot read, naming the entry', () => {
    for (const bad of [
      'classify',
      'reads=all',
      'classify=some',
      'classify=1/0',
      'classify=2/10',
      'classify=1/2000000',
      'GET=all',
      'FETCH /x=all',
      'GET x=all',
      '=all',
    ]) {
      expect(() => parseRequestLogPolicy(bad)).toThrow(/is not default, a budget|is not all, errors or 1\/N/);
    }
  });

  it('by default keeps every line but the hot paths’ successful answers, one in a hundred of those', () => {
    const policies = parseRequestLogPolicy(DEFAULT_REQUEST_LOG_POLICY);
    for (const [method, url] of [
      ['POST', '/v1/risk/classify/batch'],
      ['GET', '/v1/risk/thresholds'],
      ['GET', '/v1/risk/thresholds/:id'],
      ['GET', '/v1/risk/thresholds/match'],
    ]) {
      expect(policyFor(policies, method, url, url.includes('classify') ? 'classify' : 'read')).toEqual({
        kind: 'sample',
        every: 100,
      });
    }
    expect(policyFor(policies, 'GET', '/v1/admin/risk/thresholds/:id', 'read')).toEqual({ kind: 'all' });
    expect(policyFor(policies, 'PATCH', '/v1/admin/risk/thresholds/:id', 'write')).toEqual({ kind: 'all' });
  });

  it('keeps errors and slow answers always, and exactly one in N of the others', () => {
    const route: EdgeRouteConfig = { log: { kind: 'sample', every: 4 } };
    const kept = Array.from({ length: 12 }, () => keepsLine(route, 200, 1, 500));
    expect(kept.filter(Boolean)).toHaveLength(3);
    expect(kept.slice(0, 4)).toEqual([false, false, false, true]);
    expect(keepsLine(route, 404, 1, 500)).toBe(true);
    expect(keepsLine(route, 503, 1, 500)).toBe(true);
    expect(keepsLine(route, 200, 500, 500)).toBe(true);
    const errorsOnly: EdgeRouteConfig = { log: { kind: 'errors' } };
    expect(keepsLine(errorsOnly, 201, 499, 500)).toBe(false);
    expect(keepsLine(errorsOnly, 409, 0, 500)).toBe(true);
    expect(keepsLine({ log: { kind: 'all' } }, 200, 0, 500)).toBe(true);
  });
});
