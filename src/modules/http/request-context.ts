import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `X-Request-Id` when well-formed (CONTRACT §3), else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The actor of a write without a principal: none in practice, every write route requires a key. */
export const ANONYMOUS_ACTOR = 'anonymous';

const SERVER_REQUEST_ID = Symbol('serverRequestId');
type WithServerId = FastifyRequest & { [SERVER_REQUEST_ID]?: string };

/**
 * The server's own, unique id of a request: the request id when the server made it, else (the
 * caller sent its own `X-Request-Id`, which another caller may reuse) a new UUID, made once.
 */
export function serverRequestIdOf(request: FastifyRequest): string {
  const memo = request as WithServerId;
  if (memo[SERVER_REQUEST_ID] === undefined) {
    const id = String(request.id);
    memo[SERVER_REQUEST_ID] = request.headers['x-request-id'] === id ? randomUUID() : id;
  }
  return memo[SERVER_REQUEST_ID];
}

/** The server's id when it differs from the request id (the request logs name it then), else undefined. */
export function distinctServerRequestId(request: FastifyRequest): string | undefined {
  const id = (request as WithServerId)[SERVER_REQUEST_ID];
  return id === undefined || id === String(request.id) ? undefined : id;
}

/** Who is writing and under which request ids, for `created_by`, `last_modified_by` and audit. */
export const WriteCtx = createParamDecorator((_data: unknown, ctx: ExecutionContext): WriteContext => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: { name: string } }>();
  return {
    actor: request.principal?.name ?? ANONYMOUS_ACTOR,
    requestId: String(request.id),
    serverRequestId: serverRequestIdOf(request),
  };
});
