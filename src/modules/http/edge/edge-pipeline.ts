import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answeringRouteOf, edgeRouteOf, type EdgeRouteConfig } from '@app/modules/http/edge/route-config';

/** A step's word that it answered the request itself (a preflight, a request without Host). */
export const ANSWERED = Symbol('answered');

/** A step before routing's work: undefined to go on, a promise when it must wait, or `ANSWERED`. */
export type RequestStep = (
  request: FastifyRequest,
  reply: FastifyReply,
  route: EdgeRouteConfig | undefined,
) => Promise<void> | typeof ANSWERED | undefined | void;
/** A step on the way out (headers), or after the answer (metrics, logs): synchronous. */
export type ReplyStep = (request: FastifyRequest, reply: FastifyReply, route: EdgeRouteConfig | undefined) => void;

/**
 * The edge's steps, in the order they run, in one place. Every request passes them whichever way
 * its route was registered (a Nest controller, a hot route, the console), each step reading the
 * route's declaration (`EdgeRouteConfig`: access, budget, log policy):
 * - on request (`onRequest`, before any body is read): the request id and Host check, the security
 *   headers, CORS, then access (key or session, rate limiting, role, CSRF);
 * - on send (`onSend`): closing a connection whose upload was refused unread, the stale-data and
 *   shutdown headers;
 * - on response (`onResponse`): the HTTP metrics, then the request line (its route's log policy).
 * Errors thrown by a step, like a handler's, reach Fastify's error handler: the problem+json filter.
 */
export const EDGE_STEPS = {
  request: ['request-id', 'security-headers', 'cors', 'access'],
  send: ['unread-body', 'state-headers'],
  response: ['metrics', 'request-log'],
} as const;

type Phase = keyof typeof EDGE_STEPS;
type StepName<P extends Phase> = (typeof EDGE_STEPS)[P][number];

const pipelines = new WeakMap<FastifyInstance, EdgePipeline>();

/**
 * One Fastify hook per phase that runs the edge's steps in `EDGE_STEPS` order, synchronously unless
 * a step must wait (a session read, a Redis count). Steps join as their modules start.
 */
export class EdgePipeline {
  private readonly request: (RequestStep | undefined)[] = [];
  private readonly send: (ReplyStep | undefined)[] = [];
  private readonly response: (ReplyStep | undefined)[] = [];

  /** The pipeline of a Fastify instance, installed the first time it is asked for. */
  static of(instance: FastifyInstance): EdgePipeline {
    let pipeline = pipelines.get(instance);
    if (!pipeline) {
      pipeline = new EdgePipeline(instance);
      pipelines.set(instance, pipeline);
    }
    return pipeline;
  }

  private constructor(instance: FastifyInstance) {
    const requestSteps = this.request;
    const sendSteps = this.send;
    const responseSteps = this.response;
    instance.addHook('onRequest', (request, reply, done) =>
      runRequestSteps(requestSteps, 0, request, reply, edgeRouteOf(request), done),
    );
    instance.addHook('onSend', (request, reply, payload, done) => {
      const route = answeringRouteOf(request, reply.statusCode);
      for (const step of sendSteps) step?.(request, reply, route);
      done(null, payload);
    });
    instance.addHook('onResponse', (request, reply, done) => {
      const route = answeringRouteOf(request, reply.statusCode);
      for (const step of responseSteps) step?.(request, reply, route);
      done();
    });
  }

  onRequest(name: StepName<'request'>, step: RequestStep): this {
    this.request[EDGE_STEPS.request.indexOf(name)] = step;
    return this;
  }

  onSend(name: StepName<'send'>, step: ReplyStep): this {
    this.send[EDGE_STEPS.send.indexOf(name)] = step;
    return this;
  }

  onResponse(name: StepName<'response'>, step: ReplyStep): this {
    this.response[EDGE_STEPS.response.indexOf(name)] = step;
    return this;
  }
}

function runRequestSteps(
  steps: readonly (RequestStep | undefined)[],
  from: number,
  request: FastifyRequest,
  reply: FastifyReply,
  route: EdgeRouteConfig | undefined,
  done: (error?: Error) => void,
): void {
  for (let i = from; i < steps.length; i++) {
    let outcome: ReturnType<RequestStep>;
    try {
      outcome = steps[i]?.(request, reply, route);
    } catch (error) {
      return done(error as Error);
    }
    if (outcome === ANSWERED) return;
    if (outcome) {
      outcome.then(() => runRequestSteps(steps, i + 1, request, reply, route, done), done);
      return;
    }
  }
  done();
}
