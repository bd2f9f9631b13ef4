import { DATABASE_FAILURE_REASONS } from '@app/modules/database/connection-errors';
import {
  applyBody,
  changeRequestListResponse,
  changeRequestResponse,
  createChangeRequestBody,
  listChangeRequestsQuery,
  patchChangeRequestBody,
  restoreBody,
  reviewBody,
  scheduleBody,
} from '@app/modules/changes/http/change-request.schemas';
import { z } from 'zod';
import { SERVICE_VERSION } from '@app/modules/docs/version';
import {
  keySignInBody,
  oidcCallbackQuery,
  oidcLoginQuery,
  sessionResponse,
  signInMethodsResponse,
} from '@app/modules/auth/http/session.schemas';
import {
  distributionQuery,
  distributionResponse,
  impactBody,
  impactResponse,
  impactWindowQuery,
} from '@app/modules/observations/http/observation.schemas';
import { PROBLEM_CODES } from '@app/modules/http/problem';
import {
  adminListQuery,
  categoriesResponse,
  classificationBatchResponse,
  classificationResponse,
  classifyBatchBody,
  classifyBody,
  createThresholdBody,
  exportResponse,
  factorsQuery,
  factorsResponse,
  historyResponse,
  importBodyDoc,
  importQuery,
  importResponse,
  listQuery,
  matchQuery,
  matchResponse,
  pastClassificationResponse,
  pastClassifyBody,
  patchThresholdBody,
  thresholdListResponse,
  idParam,
  thresholdResponse,
  thresholdVersionResponse,
} from '@app/modules/thresholds/http/threshold.schemas';

type JsonSchema = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface Operation {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  tag: 'read' | 'write' | 'changes' | 'impact' | 'bulk' | 'session' | 'operations' | 'docs';
  /** Who may call it, where the tag does not say: anyone (signing in), or a person's session. */
  access?: 'public' | 'session';
  query?: z.ZodObject;
  idParam?: boolean;
  /** A `{version}` path parameter (after `{id}`). */
  versionParam?: boolean;
  ifMatch?: boolean;
  idempotencyKey?: boolean;
  body?: z.ZodType;
  /** A request body a person can send as it is (the docs page's "Try it out" starts from it). */
  example?: unknown;
  success: {
    status: number;
    schema?: z.ZodType;
    description: string;
    etag?: boolean;
    headers?: string[];
    /** A body without a schema of ours: its media type (a JSON one is an object, any other a string). */
    mediaType?: string;
    /** A second success with a body of its own (an import proposed as a change request). */
    also?: { status: number; schema: z.ZodType; description: string };
    /** A status that answers with the same body (a probe's 503 when not ready or down). */
    sameBodyOn?: number;
  };
  errors: number[];
}

const ID = '/{id}';
const CHANGES = '/v1/admin/risk/change-requests';

const CHANGE_EXAMPLE = {
  title: 'Banks: medium from 60 to 55',
  reason: 'Q3 loss rates for retail banks rose; the medium band starts earlier (memo RISK-142).',
  ticket: 'RISK-142',
  items: [
    {
      op: 'create',
      threshold: {
        name: 'Credit unions',
        category: 'financial',
        industry_code: '5221',
        business_type: 'credit union',
        risk_levels: { low: 30, medium: 55, high: 75, critical: 90 },
      },
    },
  ],
};

/** An action on one change request: POST {id}/<action>, answering the request. */
function changeAction(
  action: string,
  summary: string,
  errors: number[],
  body?: z.ZodType,
  example?: unknown,
): Operation {
  return {
    method: 'post',
    path: `${CHANGES}${ID}/${action}`,
    operationId: `${action}ChangeRequest`,
    summary,
    tag: 'changes',
    idParam: true,
    // The revision the person read: a review or an apply never lands on one written since.
    ifMatch: true,
    ...(body ? { body, example } : {}),
    success: {
      status: action === 'reviews' ? 201 : 200,
      schema: changeRequestResponse,
      description: 'The change request after the action.',
      etag: true,
    },
    errors: [...errors, 412],
  };
}

/** The role each group of operations requires (the controllers declare the same with @RequireRole). */
const ROLE_OF: Record<string, string> = {
  read: 'reader',
  write: 'editor',
  changes: 'editor',
  impact: 'editor',
  bulk: 'admin',
};

const liveResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' });
const readyResponse = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    failing: z.array(z.string()),
    checks: z.object({
      thresholds: z.enum(['loaded', 'not_loaded']),
      lifecycle: z.enum(['running', 'shutting_down']),
      storage: z.enum(['ok', 'degraded']),
    }),
  })
  .meta({ id: 'Readiness' });
const detailedResponse = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    storage: z.enum(['postgres', 'embedded', 'memory']),
    checks: z.object({
      database: z.union([
        z.literal('not_configured'),
        z.object({
          status: z.enum(['up', 'down']),
          latency_ms: z.number(),
          reason: z
            .enum([...DATABASE_FAILURE_REASONS, 'unavailable', 'pool_saturated'])
            .optional()
            .meta({ description: 'What was last observed while down; `hint` says what to do about it.' }),
          hint: z.string().optional(),
          pool: z.object({ total: z.number(), idle: z.number(), waiting: z.number(), max: z.number() }),
        }),
      ]),
      redis: z.union([
        z.literal('not_configured'),
        z.object({
          status: z.enum(['up', 'down']),
          latency_ms: z.number(),
          used_for: z.literal('rate_limit_counters'),
          reason: z.string().optional(),
          fallback: z.string().optional(),
        }),
      ]),
      thresholds: z.object({
        status: z.enum(['up', 'down']),
        total: z.number(),
        active: z.number(),
        by_category: z.record(z.string(), z.number()),
      }),
      lifecycle: z.enum(['running', 'shutting_down']),
    }),
    version: z.string(),
    uptime_s: z.number(),
  })
  .meta({ id: 'DetailedHealth' });
const READ = '/v1/risk/thresholds';
const ADMIN = '/v1/admin/risk/thresholds';

const PATCH_THRESHOLD: Operation = {
  method: 'patch',
  path: `${ADMIN}${ID}`,
  operationId: 'patchThreshold',
  summary: 'Change some fields of a threshold',
  tag: 'write',
  idParam: true,
  ifMatch: true,
  body: patchThresholdBody,
  example: { risk_levels: { low: 30, medium: 55, high: 80, critical: 90 }, description: 'Medium from 55 after review' },
  success: { status: 200, schema: thresholdResponse, description: 'The updated threshold.', etag: true },
  errors: [400, 404, 409, 412, 413, 415],
};

/** Every operation of the API. A test checks this table against the routes the app serves. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: READ,
    operationId: 'listThresholds',
    summary: 'List active thresholds',
    tag: 'read',
    query: listQuery,
    success: { status: 200, schema: thresholdListResponse, description: 'One page of active thresholds.' },
    errors: [400],
  },
  {
    method: 'get',
    path: `${READ}/match`,
    operationId: 'matchThreshold',
    summary: 'Find the threshold that applies',
    tag: 'read',
    query: matchQuery,
    success: { status: 200, schema: matchResponse, description: 'The threshold used, its source and why.' },
    errors: [400],
  },
  {
    method: 'get',
    path: `${READ}${ID}`,
    operationId: 'getThreshold',
    summary: 'Get an active threshold',
    tag: 'read',
    idParam: true,
    success: { status: 200, schema: thresholdResponse, description: 'The threshold.', etag: true },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/risk/classify',
    operationId: 'classify',
    summary: 'Classify a score',
    tag: 'read',
    body: classifyBody,
    example: { score: 72.5, category: 'financial', industry_code: '5221', business_type: null },
    success: {
      status: 200,
      schema: classificationResponse,
      description: 'The level of the score and the threshold used.',
    },
    errors: [400, 413, 415],
  },
  {
    method: 'post',
    path: '/v1/risk/classify/batch',
    operationId: 'classifyBatch',
    summary: 'Classify up to 1000 scores',
    tag: 'read',
    body: classifyBatchBody,
    example: {
      items: [
        { score: 72.5, category: 'financial', industry_code: '5221' },
        { score: 12, category: 'cybersecurity' },
      ],
    },
    success: { status: 200, schema: classificationBatchResponse, description: 'One result per item, in input order.' },
    errors: [400, 413, 415],
  },
  {
    method: 'get',
    path: '/v1/risk/categories',
    operationId: 'listCategories',
    summary: 'The eight categories',
    tag: 'read',
    success: { status: 200, schema: categoriesResponse, description: 'Every category with its description.' },
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/risk/factors',
    operationId: 'listRiskFactors',
    summary: 'The risk-factor catalogue',
    tag: 'read',
    query: factorsQuery,
    success: {
      status: 200,
      schema: factorsResponse,
      description: 'The static risk factors, optionally of one category.',
    },
    errors: [400],
  },
  {
    method: 'get',
    path: ADMIN,
    operationId: 'adminListThresholds',
    summary: 'List thresholds, inactive included',
    tag: 'write',
    query: adminListQuery,
    success: { status: 200, schema: thresholdListResponse, description: 'One page of thresholds.' },
    errors: [400],
  },
  {
    method: 'post',
    path: ADMIN,
    operationId: 'createThreshold',
    summary: 'Create a threshold',
    tag: 'write',
    idempotencyKey: true,
    body: createThresholdBody,
    example: {
      name: 'Banks',
      category: 'financial',
      industry_code: '5221',
      business_type: 'bank',
      risk_levels: { low: 35, medium: 60, high: 80, critical: 92 },
      priority: 5,
    },
    success: {
      status: 201,
      schema: thresholdResponse,
      description: 'The created threshold.',
      etag: true,
      headers: ['Location', 'Idempotent-Replayed'],
    },
    errors: [400, 409, 413, 415],
  },
  {
    method: 'get',
    path: `${ADMIN}${ID}`,
    operationId: 'adminGetThreshold',
    summary: 'Get a threshold',
    tag: 'write',
    idParam: true,
    success: { status: 200, schema: thresholdResponse, description: 'The threshold.', etag: true },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: `${ADMIN}${ID}/history`,
    operationId: 'thresholdHistory',
    summary: 'The audit trail of a threshold',
    tag: 'write',
    idParam: true,
    success: { status: 200, schema: historyResponse, description: 'Every audited write, newest first.' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: `${ADMIN}${ID}/versions/{version}`,
    operationId: 'thresholdVersion',
    summary: 'A threshold as it stood at one version',
    tag: 'write',
    idParam: true,
    versionParam: true,
    success: {
      status: 200,
      schema: thresholdVersionResponse,
      description:
        'Every client field at that version, rebuilt from the audit trail (deleted thresholds and seeds included), with who wrote it and when it was replaced.',
    },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/admin/risk/classify',
    operationId: 'classifyAsOf',
    summary: 'Classify a score as the service would have at a past instant',
    tag: 'write',
    body: pastClassifyBody,
    example: { score: 72.5, category: 'financial', industry_code: '5221', as_of: '2026-11-24T09:30:00Z' },
    success: {
      status: 200,
      schema: pastClassificationResponse,
      description:
        'The answer the service would have given at as_of: the thresholds as they stood then, rebuilt from the audit trail, matched and classified by the same rules.',
    },
    errors: [400, 413, 415],
  },
  {
    method: 'get',
    path: '/v1/admin/risk/score-distribution',
    operationId: 'scoreDistribution',
    summary: 'How the scores classified in a window are distributed, and their levels now',
    tag: 'impact',
    query: distributionQuery,
    success: {
      status: 200,
      schema: distributionResponse,
      description:
        'Counts per score bin and per level under the thresholds in force now (counts only, no identifiers).',
    },
    errors: [400],
  },
  {
    method: 'post',
    path: '/v1/admin/risk/impact',
    operationId: 'impact',
    summary: 'How many observed cases a change would move, exactly',
    tag: 'impact',
    body: impactBody,
    example: {
      items: [
        {
          op: 'update',
          threshold_id: '00000000-0000-4000-8000-000000000006',
          base_version: 1,
          threshold: { risk_levels: { low: 30, medium: 55, high: 75, critical: 90 } },
        },
      ],
    },
    success: {
      status: 200,
      schema: impactResponse,
      description: 'The impact over the window (default: the last 30 days).',
    },
    errors: [400, 409, 413, 415],
  },
  {
    method: 'post',
    path: CHANGES,
    operationId: 'createChangeRequest',
    summary: 'Propose a change: a draft change request',
    tag: 'changes',
    body: createChangeRequestBody,
    example: CHANGE_EXAMPLE,
    success: {
      status: 201,
      schema: changeRequestResponse,
      description: 'The draft.',
      etag: true,
      headers: ['Location'],
    },
    errors: [400, 413, 415],
  },
  {
    method: 'get',
    path: CHANGES,
    operationId: 'listChangeRequests',
    summary: 'Change requests, newest first',
    tag: 'changes',
    query: listChangeRequestsQuery,
    success: { status: 200, schema: changeRequestListResponse, description: 'A page of change requests.' },
    errors: [400],
  },
  {
    method: 'get',
    path: `${CHANGES}${ID}`,
    operationId: 'getChangeRequest',
    summary: 'One change request',
    tag: 'changes',
    idParam: true,
    success: { status: 200, schema: changeRequestResponse, description: 'The change request.', etag: true },
    errors: [400, 404],
  },
  {
    method: 'patch',
    path: `${CHANGES}${ID}`,
    operationId: 'editChangeRequest',
    summary: 'Edit a change request (a new revision: earlier approvals are void)',
    tag: 'changes',
    idParam: true,
    ifMatch: true,
    body: patchChangeRequestBody,
    example: { reason: 'Q3 and Q4 loss rates rose; the medium band starts earlier (memo RISK-142).' },
    success: { status: 200, schema: changeRequestResponse, description: 'The edited request.', etag: true },
    errors: [400, 404, 409, 412, 413, 415],
  },
  {
    method: 'get',
    path: `${CHANGES}${ID}/impact`,
    operationId: 'changeRequestImpact',
    summary: "The impact of a change request's items now (recomputed)",
    tag: 'changes',
    idParam: true,
    query: impactWindowQuery,
    success: {
      status: 200,
      schema: impactResponse,
      description:
        "The items weighed against the thresholds in force and the observations of the window now (the report frozen at review is the request's impact field).",
    },
    errors: [400, 404, 409],
  },
  changeAction('submit', 'Send a change request to review', [400, 404, 409]),
  changeAction('reviews', 'Approve or reject a change request (not your own)', [400, 404, 409, 413, 415], reviewBody, {
    decision: 'approve',
    comment: 'Checked against the Q3 memo.',
  }),
  changeAction(
    'apply',
    'Apply an approved change request, all items or none',
    [400, 404, 409, 413, 415],
    applyBody,
    {},
  ),
  changeAction('schedule', 'Schedule an approved change request', [400, 404, 409, 413, 415], scheduleBody, {
    at: '2027-01-04T06:00:00Z',
  }),
  changeAction('cancel', 'Cancel a change request not yet applied', [400, 404, 409]),
  {
    method: 'post',
    path: `${ADMIN}${ID}/restore`,
    operationId: 'restoreThreshold',
    summary: 'Propose bringing a threshold back to a past version (a draft change request)',
    tag: 'changes',
    idParam: true,
    body: restoreBody,
    example: { version: 1, reason: 'The Q3 tightening over-flagged credit unions; back to the bands before it.' },
    success: {
      status: 201,
      schema: changeRequestResponse,
      description: 'A draft whose one item restores the threshold (re-creating it if it was deleted).',
      etag: true,
      headers: ['Location'],
    },
    errors: [400, 404, 413, 415],
  },
  PATCH_THRESHOLD,
  { ...PATCH_THRESHOLD, method: 'put', operationId: 'putThreshold', summary: 'Change some fields (same as PATCH)' },
  {
    method: 'delete',
    path: `${ADMIN}${ID}`,
    operationId: 'deleteThreshold',
    summary: 'Delete a threshold',
    tag: 'write',
    idParam: true,
    ifMatch: true,
    success: { status: 204, description: 'Deleted.' },
    errors: [400, 404, 409, 412],
  },
  {
    method: 'get',
    path: '/v1/admin/risk/threshold-export',
    operationId: 'exportThresholds',
    summary: 'Export every threshold',
    tag: 'bulk',
    success: {
      status: 200,
      schema: exportResponse,
      description: 'Every threshold, inactive included, as a JSON attachment.',
      headers: ['Content-Disposition'],
    },
    errors: [],
  },
  {
    method: 'post',
    path: '/v1/admin/risk/threshold-import',
    operationId: 'importThresholds',
    summary: 'Import thresholds atomically',
    tag: 'bulk',
    query: importQuery,
    body: importBodyDoc,
    example: {
      thresholds: [
        {
          name: 'Credit unions',
          category: 'financial',
          industry_code: '5221',
          business_type: 'credit union',
          risk_levels: { low: 30, medium: 55, high: 75, critical: 90 },
          priority: 4,
        },
      ],
    },
    success: {
      status: 200,
      schema: importResponse,
      description: 'What the import did (or would do, with dry_run=true).',
      also: {
        status: 201,
        schema: changeRequestResponse,
        description: 'With as_change_request=true: a draft change request holding what the import would do.',
      },
    },
    errors: [400, 409, 413, 415],
  },
  {
    method: 'post',
    path: '/v1/session',
    operationId: 'signInWithKey',
    summary: "Sign in with one's own API key: a session cookie for the browser",
    tag: 'session',
    access: 'public',
    body: keySignInBody,
    example: { api_key: 'rts_...' },
    success: {
      status: 201,
      schema: sessionResponse,
      description:
        'Signed in: Set-Cookie carries the session (__Host-rts-session, HttpOnly, Secure, SameSite=Lax); any session the browser held before is ended.',
      headers: ['Set-Cookie'],
    },
    errors: [400, 401, 403, 413, 415],
  },
  {
    method: 'get',
    path: '/v1/session/methods',
    operationId: 'signInMethods',
    summary: 'How people can sign in here (what a sign-in page offers)',
    tag: 'session',
    access: 'public',
    success: { status: 200, schema: signInMethodsResponse, description: 'The sign-in methods that are on.' },
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/session',
    operationId: 'currentSession',
    summary: 'Who is signed in, until when, and the CSRF token for their writes',
    tag: 'session',
    access: 'session',
    success: { status: 200, schema: sessionResponse, description: 'The session of the cookie.' },
    errors: [],
  },
  {
    method: 'delete',
    path: '/v1/session',
    operationId: 'signOut',
    summary: 'Sign out: the session ends on every replica',
    tag: 'session',
    access: 'session',
    success: { status: 204, description: 'Signed out; Set-Cookie removes the cookie.', headers: ['Set-Cookie'] },
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/session/oidc/login',
    operationId: 'oidcLogin',
    summary: "Sign in at the organisation's identity provider (a redirect there)",
    tag: 'session',
    access: 'public',
    query: oidcLoginQuery,
    success: {
      status: 302,
      description:
        "To the provider's authorization endpoint (code flow with PKCE, state and nonce); Set-Cookie binds the sign-in to this browser for 10 minutes.",
      headers: ['Location', 'Set-Cookie'],
    },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/session/oidc/callback',
    operationId: 'oidcCallback',
    summary: 'Where the provider sends the person back: the session opens, then on to return_to',
    tag: 'session',
    access: 'public',
    query: oidcCallbackQuery,
    success: {
      status: 303,
      description: 'Signed in: Set-Cookie carries the session; Location is the return_to given at the start.',
      headers: ['Location', 'Set-Cookie'],
    },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness (alias of /health/live)',
    tag: 'operations',
    success: { status: 200, schema: liveResponse, description: 'The process answers. No I/O.' },
    errors: [],
  },
  {
    method: 'get',
    path: '/health/live',
    operationId: 'liveness',
    summary: 'Liveness',
    tag: 'operations',
    success: { status: 200, schema: liveResponse, description: 'The process answers. No I/O.' },
    errors: [],
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'readiness',
    summary: 'Readiness',
    tag: 'operations',
    success: {
      status: 200,
      schema: readyResponse,
      description:
        'Thresholds are loaded and the service is not shutting down; 503 (same body) names the failing checks.',
      sameBodyOn: 503,
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/health/detailed',
    operationId: 'detailedHealth',
    summary: 'Every dependency, bounded',
    tag: 'operations',
    success: {
      status: 200,
      schema: detailedResponse,
      description:
        'ok, or degraded (the database is down and the snapshot serves); 503 (same body) when down: thresholds not loaded or shutting down. Each check is bounded (1 s); no error messages or host names.',
      sameBodyOn: 503,
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    success: {
      status: 200,
      description: 'The Prometheus text exposition format (see docs/OBSERVABILITY.md).',
      mediaType: 'text/plain',
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This OpenAPI document',
    tag: 'docs',
    success: { status: 200, description: 'The OpenAPI 3.1 document.', mediaType: 'application/json' },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'apiDocs',
    summary: 'Interactive API documentation',
    tag: 'docs',
    success: { status: 200, description: 'An HTML page (Swagger UI).', mediaType: 'text/html' },
    errors: [],
  },
];

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem document; every error is one (content type application/problem+json).',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'request_id'],
  properties: {
    type: { type: 'string', description: 'A URN naming the problem type (see docs/API.md).' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'What went wrong, for a person.' },
    instance: { type: 'string', description: 'The request path.' },
    code: { type: 'string', enum: Object.keys(PROBLEM_CODES) },
    request_id: { type: 'string', description: 'Also sent as the X-Request-Id header.' },
    errors: {
      type: 'array',
      description: 'One entry per invalid field.',
      items: {
        type: 'object',
        required: ['field', 'message', 'code'],
        properties: {
          field: { type: 'string', description: 'JSON-pointer-like path, e.g. /risk_levels/high or /items/3/score.' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_ERROR lists every invalid field) or a malformed request or URL (BAD_REQUEST).',
  401: 'No API key and no session, an unknown key, an ended session, or a refused sign-in (WWW-Authenticate: Bearer).',
  403: "The key or session is valid but its role is too low for this operation; or a signed-in write without the session's X-CSRF-Token or from another Origin.",
  404: 'No such threshold, version or change request, or no such route.',
  408: 'The request (headers or body) did not arrive in time.',
  409: 'The write conflicts with stored data (a duplicate id, a second active default in a category), a change request is in another state or its items moved (CONFLICT), or changes need approvals and go through a change request (APPROVAL_REQUIRED).',
  412: 'If-Match does not match the current version; the current ETag is returned.',
  413: 'The request body is larger than the endpoint accepts.',
  414: 'A path parameter is longer than the service accepts (a whole URL over the header limit is 431).',
  415: 'The request body is not application/json.',
  417: 'An Expect header other than 100-continue.',
  429: 'Too many requests from this client for this kind of request (reads, classify, writes, sign-ins) in the window; see RateLimit-* and Retry-After.',
  431: 'The request headers are larger than the service accepts.',
  503: 'The database is unavailable (writes; nothing was written) or thresholds are not loaded yet; retry after Retry-After seconds.',
};

/** Client errors any route can get from the HTTP layer, before an operation runs. */
const BELOW_THE_APPLICATION = [400, 408, 414, 417, 431];

const RETRY_AFTER = { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } };
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': {
    description: 'Requests allowed in the window for this kind of request.',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': { description: 'Requests left in the window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
};

/** What each header of a success answer says. */
const SUCCESS_HEADERS: Record<string, string> = {
  Location: 'The URL of what was created (a threshold, or a change request), or where a redirect goes.',
  'Set-Cookie':
    'The session cookie (__Host-rts-session) or the sign-in cookie (__Host-rts-sign-in), HttpOnly, Secure, SameSite=Lax.',
  'Idempotent-Replayed': 'true when the answer replays the create an earlier request with this Idempotency-Key made.',
  'Content-Disposition': 'attachment; filename=thresholds_export.json',
};

/** The headers an error answer carries beyond X-Request-Id. */
const PROBLEM_HEADERS: Record<number, JsonSchema> = {
  401: { 'WWW-Authenticate': { description: 'Bearer (RFC 6750).', schema: { type: 'string' } } },
  412: { ETag: { $ref: '#/components/headers/ETag' } },
  429: { 'Retry-After': RETRY_AFTER, ...RATE_LIMIT_HEADERS },
  503: { 'Retry-After': RETRY_AFTER },
};

function refOrInline(schema: z.ZodType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  return stripSchemaKey(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

/**
 * A component schema without the keys zod adds for a standalone document: `$schema` (the
 * document's dialect applies) and `$id` (zod writes the component's `#/…` pointer there, and an
 * `$id` with a fragment is invalid JSON Schema 2020-12: components are found by their `$ref`).
 */
function stripSchemaKey(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** What each query parameter does, where its schema does not say. */
const QUERY_DESCRIPTIONS: Record<string, string> = {
  category: 'The risk category.',
  industry_code: 'The industry code (matched exactly).',
  business_type: 'The business type (matched exactly).',
  is_active: 'true: active thresholds only; false: inactive ones only; absent: both.',
  mode: 'upsert: create and update what the file holds; replace: also delete what it does not.',
  dry_run: 'true: validate and count, write nothing.',
  as_change_request:
    'true: write nothing; answer 201 with a draft change request holding what the import would do (the way to import when changes need approvals).',
};

function parametersOf(op: Operation): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  if (op.idParam) {
    parameters.push({ name: 'id', in: 'path', required: true, schema: refOrInline(idParam) });
  }
  if (op.versionParam) {
    parameters.push({
      name: 'version',
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    });
  }
  for (const [name, field] of Object.entries(op.query?.shape ?? {})) {
    const schema = field as z.ZodType;
    // The parsed type (an integer, a boolean), as a client generator should type it; the
    // description on the parameter, where documentation viewers show it.
    const { description, ...typed } = stripSchemaKey(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
    const id = z.globalRegistry.get(schema)?.id;
    parameters.push({
      name,
      in: 'query',
      required: !schema.safeParse(undefined).success,
      description: description ?? QUERY_DESCRIPTIONS[name],
      schema: id ? { $ref: `#/components/schemas/${id}` } : typed,
    });
  }
  if (op.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes the create safe to retry: a retry with the same key and body within 24 h answers the original threshold (Idempotent-Replayed: true) and creates nothing; the same key with another body is 409.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  const signedIn = op.tag !== 'docs' && op.tag !== 'operations' && op.access !== 'public';
  if (signedIn && op.method !== 'get') {
    parameters.push({
      name: 'X-CSRF-Token',
      in: 'header',
      required: false,
      description:
        "With the session cookie: required, the session's csrf_token (GET /v1/session), with an Origin of this service; else 403. Not used with an API key.",
      schema: { type: 'string' },
    });
  }
  if (op.ifMatch) {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag of the version being changed, e.g. "3" (W/ tolerated), or *. A mismatch is 412.',
      schema: { type: 'string' },
    });
  }
  return parameters;
}

function responsesOf(op: Operation): JsonSchema {
  const headers: JsonSchema = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
  if (op.success.etag) headers.ETag = { $ref: '#/components/headers/ETag' };
  if (op.tag !== 'docs' && op.tag !== 'operations') {
    if (op.tag !== 'session') headers['X-Data-Stale'] = { $ref: '#/components/headers/X-Data-Stale' };
    if (op.access !== 'session') Object.assign(headers, RATE_LIMIT_HEADERS);
  }
  for (const h of op.success.headers ?? [])
    headers[h] = { description: SUCCESS_HEADERS[h], schema: { type: 'string' } };
  const responses: JsonSchema = {
    [op.success.status]: {
      description: op.success.description,
      headers,
      ...(op.success.schema ? { content: { 'application/json': { schema: refOrInline(op.success.schema) } } } : {}),
      ...(op.success.mediaType
        ? {
            content: {
              [op.success.mediaType]: {
                schema: op.success.mediaType.endsWith('json') ? { type: 'object' } : { type: 'string' },
              },
            },
          }
        : {}),
    },
  };
  if (op.success.also) {
    responses[op.success.also.status] = {
      description: op.success.also.description,
      headers: { ...headers, Location: { description: 'The URL of the change request.', schema: { type: 'string' } } },
      content: { 'application/json': { schema: refOrInline(op.success.also.schema) } },
    };
  }
  if (op.success.sameBodyOn !== undefined) {
    responses[op.success.sameBodyOn] = {
      ...(responses[op.success.status] as JsonSchema),
      description: 'Not ready, or down: the same document.',
    };
  }
  for (const status of op.errors) responses[status] = { $ref: `#/components/responses/Problem${status}` };
  if (op.tag !== 'docs' && op.tag !== 'operations' && op.access !== 'public') {
    responses['401'] = { $ref: '#/components/responses/Problem401' };
    responses['403'] = { $ref: '#/components/responses/Problem403' };
  }
  // Any route can get a client error made below the application: a malformed request, a timeout,
  // a path too long, headers too large. Named one by one, so an undocumented status is a defect.
  for (const status of BELOW_THE_APPLICATION) responses[status] ??= { $ref: `#/components/responses/Problem${status}` };
  responses['500'] = { $ref: '#/components/responses/Problem500' };
  if (op.tag !== 'docs' && op.tag !== 'operations') {
    responses['429'] = { $ref: '#/components/responses/Problem429' };
    responses['503'] = { $ref: '#/components/responses/Problem503' };
  }
  return responses;
}

/** Who may call an operation: anyone, a person's session, or a key or session with the group's role. */
function securityOf(op: Operation): JsonSchema {
  if (op.tag === 'docs' || op.tag === 'operations' || op.access === 'public') return { security: [] };
  if (op.access === 'session') return { security: [{ session: [] }] };
  return { security: [{ bearer: [] }, { apiKey: [] }, { session: [] }], 'x-required-role': ROLE_OF[op.tag] };
}

/** How a client authenticates: an API key, as a Bearer token or in `X-API-Key` (CONTRACT §6). */
export const SECURITY_SCHEMES = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The API key as a Bearer token: `Authorization: Bearer <key>`. In the docs page, paste the key alone: the page adds `Bearer `.',
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'The API key in its own header: `X-API-Key: <key>`.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-rts-session',
    description:
      "A person's session (POST /v1/session, or the provider sign-in). A request with it that changes anything also sends X-CSRF-Token (the session's csrf_token) and an Origin of this service.",
  },
} as const;

/** The OpenAPI 3.1 document, generated from the request and response schemas. */
export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) {
    const parameters = parametersOf(op);
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: [op.tag],
      ...securityOf(op),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: refOrInline(op.body),
                  ...(op.example === undefined ? {} : { example: op.example }),
                },
              },
            },
          }
        : {}),
      responses: responsesOf(op),
    };
  }
  const generated = z.toJSONSchema(z.globalRegistry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas: Record<string, JsonSchema> = { Problem: PROBLEM_SCHEMA };
  for (const [id, schema] of Object.entries(generated.schemas).sort(([a], [b]) => a.localeCompare(b))) {
    schemas[id] = stripSchemaKey(schema);
  }
  const problemResponses: Record<string, JsonSchema> = {};
  for (const status of [400, 401, 403, 404, 408, 409, 412, 413, 414, 415, 417, 429, 431, 500, 503]) {
    problemResponses[`Problem${status}`] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Unexpected error; the body reveals nothing internal.',
      headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, ...PROBLEM_HEADERS[status] },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Risk Threshold Service',
      version,
      description:
        'Stores risk threshold configurations and classifies risk scores against them deterministically. JSON is snake_case; every error is application/problem+json.',
      license: { name: 'Proprietary (UNLICENSED)', identifier: 'LicenseRef-Proprietary' },
    },
    // Relative: the service that serves this document, whatever its host (the docs page's "Try it out").
    servers: [{ url: '/', description: 'This service' }],
    tags: [
      { name: 'read', description: 'Reads and classification (role reader and above).' },
      { name: 'write', description: 'Threshold management (role editor and above).' },
      {
        name: 'changes',
        description:
          'Change requests: four-eyes review, scheduling, emergency apply (role editor and above; an emergency apply: admin).',
      },
      {
        name: 'impact',
        description:
          'Score observations: the distribution of classified scores and the exact impact of a change (role editor and above).',
      },
      { name: 'bulk', description: 'Export and atomic import (role admin).' },
      {
        name: 'session',
        description:
          "People's sessions: sign in at the organisation's identity provider or with one's own API key, see the session, sign out (docs/SIGN_IN.md).",
      },
      { name: 'operations', description: 'Probes (no authentication).' },
      { name: 'docs', description: 'This documentation.' },
    ],
    paths,
    components: {
      schemas,
      responses: problemResponses,
      securitySchemes: SECURITY_SCHEMES,
      headers: {
        'X-Request-Id': {
          description: "The caller's X-Request-Id when it is 1-128 characters of [A-Za-z0-9._:-], else a new UUID.",
          schema: { type: 'string' },
        },
        ETag: {
          description: 'The strong entity tag: a threshold\'s version or a change request\'s revision, e.g. "3".',
          schema: { type: 'string' },
        },
        'X-Data-Stale': {
          description:
            'Present (true) while the database is unreachable: the answer comes from the last loaded snapshot. Sent with Warning: 110 - "Response is Stale".',
          schema: { type: 'string', enum: ['true'] },
        },
      },
    },
  };
}

/** The committed `docs/openapi.json`, formatted for review. */
export function renderOpenApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(SERVICE_VERSION), null, 2)}\n`;
}
