import { Writable } from 'node:stream';
import { Test } from '@nestjs/testing';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { appOptions, createAdapter, initApp } from '@app/app.factory';
import type { EdgeRouteConfig } from '@app/modules/http/edge/route-config';
import { AppModule } from '@app/app.module';
import { sha256Hex } from '@app/modules/auth/api-keys';
import { ConfigModule } from '@app/modules/config/config.module';
import type { DestinationStream } from 'pino';
import { expectConformsToDocument } from '@test/support/openapi-conformance';
import { ThresholdRepository } from '@app/modules/thresholds/persistence/threshold.repository';

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Replaces the store (e.g. an empty one); the seeded in-memory store otherwise. */
  repository?: ThresholdRepository;
  logger?: LoggerService | false;
  /** Captures the application's pino log lines (request logs and Nest's own). */
  logStream?: DestinationStream;
  /** Providers replaced by values (e.g. a clock the test moves). */
  overrides?: ReadonlyArray<{ provide: unknown; useValue: unknown }>;
}

/** The real application, wired as in production, answering injected requests (no socket). */
export async function createTestApp(options: TestAppOptions = {}): Promise<NestFastifyApplication> {
  // Rate limiting is off unless a test is about it: tests send bursts a client would not. The
  // store is the seeded in-memory one unless a test asks for another.
  const loaded = await ConfigModule.forRoot({
    env: {
      NODE_ENV: 'test',
      ...(options.env?.DATABASE_URL ? {} : { STORAGE: 'memory' }),
      LOG_LEVEL: 'error',
      RATE_LIMIT_ENABLED: 'false',
      API_KEYS: TEST_KEYS_CONFIG,
      ...options.env,
    },
  });
  const { config } = loaded;
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(loaded, { logStream: options.logStream })] });
  if (options.repository) builder = builder.overrideProvider(ThresholdRepository).useValue(options.repository);
  for (const { provide, useValue } of options.overrides ?? [])
    builder = builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createAdapter(config),
    appOptions(options.logStream ? undefined : (options.logger ?? false)),
  );
  const routes: ServedRoute[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        // The route's options object: its config, once the edge has completed it, is read later.
        if (method !== 'HEAD') routes.push({ method, url: route.url, declared: () => route.config as EdgeRouteConfig });
      }
    });
  servedRoutes.set(app, routes);
  return initApp(app, config, { pinoLogs: options.logStream !== undefined });
}

export interface ServedRoute {
  method: string;
  url: string;
  /** The route's declaration as the edge reads it (access, budget, log policy). */
  declared: () => EdgeRouteConfig;
}

const servedRoutes = new WeakMap<NestFastifyApplication, ServedRoute[]>();

/** Every route the app registered with Fastify (HEAD twins left out), for route-table tests. */
export function routesOf(app: NestFastifyApplication): ServedRoute[] {
  return servedRoutes.get(app) ?? [];
}

/** API keys of the tests, one per role (configured in every test app unless a test sets API_KEYS). */
export const TEST_KEYS = {
  reader: 'rts_test_reader_key_0000000000000000000000000',
  editor: 'rts_test_editor_key_0000000000000000000000000',
  admin: 'rts_test_admin_key_00000000000000000000000000',
} as const;
export const TEST_KEYS_CONFIG = Object.entries(TEST_KEYS)
  .map(([role, key]) => `test-${role}:${role}:${sha256Hex(key)}`)
  .join(',');

/** Headers that authenticate as the test key of `role`. */
export function as(role: keyof typeof TEST_KEYS): Record<string, string> {
  return { authorization: `Bearer ${TEST_KEYS[role]}` };
}

/** The host and origin the session tests' browser is at (inject sends plain http). */
export const TEST_ORIGIN = { host: 'risk.test', origin: 'http://risk.test' } as const;

/**
 * Signs in with the test key of `role` (POST /v1/session) and answers the headers of a browser in
 * that session: the cookie, the CSRF token and this service's Origin (no key: `authorization: ''`).
 */
export async function signIn(
  app: NestFastifyApplication,
  role: keyof typeof TEST_KEYS,
): Promise<Record<string, string>> {
  const res = await send(
    app,
    'POST',
    '/v1/session',
    { api_key: TEST_KEYS[role] },
    { authorization: '', ...TEST_ORIGIN },
  );
  if (res.statusCode !== 201) throw new Error(`sign-in as ${role} answered ${res.statusCode}: ${res.body}`);
  return {
    authorization: '',
    cookie: String(res.headers['set-cookie']).split(';')[0],
    'x-csrf-token': res.json().csrf_token,
    ...TEST_ORIGIN,
  };
}

/**
 * `app.inject` with a JSON body, authenticated as the test admin unless `headers` carry their
 * own `authorization` or `x-api-key` (an empty string sends none).
 */
export async function send(
  app: NestFastifyApplication,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const authenticated = 'authorization' in headers || 'x-api-key' in headers ? {} : as('admin');
  const sent = Object.fromEntries(Object.entries({ ...authenticated, ...headers }).filter(([, v]) => v !== ''));
  const answer = await app.inject({
    method,
    url,
    headers: body === undefined ? sent : { 'content-type': 'application/json', ...sent },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  // Every answer a test receives is checked against the OpenAPI document (issue #15).
  expectConformsToDocument(String(method), url, answer);
  return answer;
}

/** Asserts a problem+json answer with the given status and code, and returns its body. */
export function expectProblem(
  res: LightMyRequestResponse,
  status: number,
  code: string,
): { detail: string; errors?: { field: string; message: string; code: string }[]; request_id: string } {
  expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  const body = res.json();
  expect(body).toMatchObject({ status, code, request_id: res.headers['x-request-id'] });
  expect(typeof body.detail).toBe('string');
  expect(typeof body.type).toBe('string');
  return body;
}

/** A log destination for `createTestApp({ logStream })` that keeps every JSON line written to it. */
export function logCapture<Line = Record<string, unknown>>(): {
  stream: Writable;
  lines: () => Line[];
  clear: () => void;
} {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () => raw.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Line),
    clear: () => void (raw.length = 0),
  };
}
