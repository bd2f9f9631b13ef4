import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { WriteContext } from '@app/modules/thresholds/persistence/threshold.repository';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `X-Request-Id` when well-formed (SPEC §3), else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Until authentication lands, writes are attributed to this principal. */
export const ANONYMOUS_ACTOR = 'anonymous';

/** Who is writing and under which request id, for `created_by`, `last_modified_by` and audit. */
export const WriteCtx = createParamDecorator((_data: unknown, ctx: ExecutionContext): WriteContext => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: { name: string } }>();
  return { actor: request.principal?.name ?? ANONYMOUS_ACTOR, requestId: String(request.id) };
});
