import { expositionProblems } from '@app/cli/ops/exposition';
import { messageOf, report, type Check, type Report } from '@app/cli/ops/report';

const LEVELS = ['minimal', 'low', 'medium', 'high', 'critical'] as const;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json?: unknown;
}

export interface PostdeployOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** The level a score gets from bands (each bound inclusive lower bound), as CONTRACT §2 defines. */
function levelFor(score: number, bands: Record<string, number>): string {
  if (score >= bands.critical) return 'critical';
  if (score >= bands.high) return 'high';
  if (score >= bands.medium) return 'medium';
  if (score >= bands.low) return 'low';
  return 'minimal';
}

/**
 * `postdeploy --url <base>`: checks a running instance the way its users will use it: probes,
 * detailed health (database up, not degraded), an authenticated list and classify, metrics that
 * parse, the OpenAPI document.
 */
export async function postdeploy(options: PostdeployOptions): Promise<Report> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const auth: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const checks: Check[] = [];
  const pass = (name: string, detail: string): void => void checks.push({ name, status: 'ok', detail });
  const fail = (name: string, detail: string, fix: string): void =>
    void checks.push({ name, status: 'fail', detail, fix });

  async function get(path: string, init: RequestInit = {}): Promise<Answer | Error> {
    try {
      const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      let json: unknown;
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: response.status, headers: response.headers, text, json };
    } catch (error) {
      return new Error(messageOf((error as { cause?: unknown }).cause ?? error));
    }
  }
  const unreachable = (name: string, path: string, error: Error): void =>
    fail(name, `GET ${path}: ${error.message}`, 'is the instance running and is the URL right?');

  const live = await get('/health/live');
  if (live instanceof Error) {
    unreachable('liveness', '/health/live', live);
    return report('postdeploy', checks, { url: base });
  }
  if (live.status === 200) pass('liveness', '/health/live answers 200');
  else fail('liveness', `/health/live answers ${live.status}`, 'the process is unhealthy: read its logs');
  if (live.headers.get('x-content-type-options') === 'nosniff') pass('security-headers', 'security headers are set');
  else fail('security-headers', 'X-Content-Type-Options is missing', 'is a proxy stripping headers?');

  const ready = await get('/health/ready');
  if (ready instanceof Error) unreachable('readiness', '/health/ready', ready);
  else if (ready.status === 200) pass('readiness', '/health/ready answers 200');
  else {
    const failing = (ready.json as { failing?: string[] } | undefined)?.failing ?? [];
    fail(
      'readiness',
      `/health/ready answers ${ready.status} (failing: ${failing.join(', ') || 'unknown'})`,
      'docs/RUNBOOK.md#service-not-ready',
    );
  }

  const detailed = await get('/health/detailed');
  if (detailed instanceof Error) unreachable('health.detailed', '/health/detailed', detailed);
  else {
    const body = detailed.json as
      | { status?: string; storage?: string; checks?: { database?: { status?: string; reason?: string } | string } }
      | undefined;
    const database = body?.checks?.database;
    if (detailed.status !== 200 || body?.status === 'down') {
      fail(
        'health.detailed',
        `/health/detailed answers ${detailed.status}, status ${body?.status ?? 'unknown'}`,
        'docs/RUNBOOK.md#service-not-ready',
      );
    } else if (body?.status === 'degraded') {
      const reason = typeof database === 'object' ? (database.reason ?? 'down') : 'unknown';
      fail(
        'health.detailed',
        `degraded: the database is down (${reason}); reads are served from the snapshot, writes fail`,
        'docs/RUNBOOK.md#storage-degraded',
      );
    } else if (body?.storage === 'memory' || body?.storage === 'embedded') {
      checks.push({
        name: 'health.detailed',
        status: 'warn',
        detail: `status ok, but the instance runs on ${String(body.storage)} storage`,
        fix: 'production instances use PostgreSQL: set DATABASE_URL',
      });
    } else if (typeof database === 'object' && database.status === 'up') {
      pass('health.detailed', 'status ok, database up');
    } else {
      fail(
        'health.detailed',
        `unexpected document: ${detailed.text.slice(0, 200)}`,
        'is this the Risk Threshold Service?',
      );
    }
  }

  if (!options.apiKey) {
    for (const name of ['thresholds.list', 'classify']) {
      checks.push({
        name,
        status: 'warn',
        detail: 'skipped: no API key',
        fix: 'pass --api-key (or OPS_API_KEY) of a reader key',
      });
    }
  } else {
    const list = await get('/v1/risk/thresholds?limit=1', { headers: auth });
    if (list instanceof Error) unreachable('thresholds.list', '/v1/risk/thresholds', list);
    else if (list.status === 200 && Array.isArray((list.json as { thresholds?: unknown } | undefined)?.thresholds)) {
      pass('thresholds.list', 'GET /v1/risk/thresholds answers 200 with a list');
    } else if (list.status === 401 || list.status === 403) {
      fail(
        'thresholds.list',
        `GET /v1/risk/thresholds answers ${list.status}: the key is not accepted`,
        'check the key and its entry in API_KEYS',
      );
    } else {
      fail('thresholds.list', `GET /v1/risk/thresholds answers ${list.status}`, 'docs/TROUBLESHOOTING.md');
    }

    const score = 55;
    const classify = await get('/v1/risk/classify', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ score, category: 'financial' }),
    });
    if (classify instanceof Error) unreachable('classify', '/v1/risk/classify', classify);
    else {
      const body = classify.json as
        { level?: string; score?: number; risk_levels?: Record<string, number> } | undefined;
      if (classify.status !== 200 || !body?.risk_levels) {
        fail('classify', `POST /v1/risk/classify answers ${classify.status}`, 'docs/TROUBLESHOOTING.md');
      } else if (
        body.score !== score ||
        !LEVELS.includes(body.level as (typeof LEVELS)[number]) ||
        body.level !== levelFor(score, body.risk_levels)
      ) {
        fail(
          'classify',
          `score ${score} classified as ${body.level} with bands ${JSON.stringify(body.risk_levels)}`,
          'the classification is inconsistent: roll back (docs/ROLLBACK.md)',
        );
      } else {
        pass('classify', `score ${score} (financial) -> ${body.level}`);
      }
    }
  }

  const unauthenticated = await get('/v1/risk/thresholds?limit=1');
  if (!(unauthenticated instanceof Error)) {
    if (unauthenticated.status === 401) pass('auth.enforced', 'a request without a key is refused (401)');
    else
      fail(
        'auth.enforced',
        `a request without a key answers ${unauthenticated.status}`,
        'authentication is off: roll back now (docs/SECURITY.md)',
      );
  }

  const metrics = await get('/metrics');
  if (metrics instanceof Error) unreachable('metrics', '/metrics', metrics);
  else {
    const lines = metrics.text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const problems = expositionProblems(metrics.text);
    if (metrics.status !== 200) fail('metrics', `/metrics answers ${metrics.status}`, 'docs/OBSERVABILITY.md');
    else if (problems.length > 0) {
      fail('metrics', `/metrics is not a valid exposition: ${problems[0]}`, 'docs/OBSERVABILITY.md');
    } else if (!lines.some((line) => line.startsWith('http_requests_total'))) {
      fail('metrics', '/metrics has no http_requests_total', 'set METRICS_ENABLED=true');
    } else pass('metrics', `/metrics parses (${lines.length} samples)`);
  }

  const openapi = await get('/docs/openapi.json');
  if (openapi instanceof Error) unreachable('openapi', '/docs/openapi.json', openapi);
  else {
    const doc = openapi.json as { openapi?: string; paths?: Record<string, unknown> } | undefined;
    if (openapi.status === 200 && doc?.openapi?.startsWith('3.') && doc.paths?.['/v1/risk/classify']) {
      pass('openapi', `/docs/openapi.json is an OpenAPI ${doc.openapi} document`);
    } else fail('openapi', `/docs/openapi.json answers ${openapi.status}`, 'docs/API.md');
  }
  return report('postdeploy', checks, { url: base });
}
