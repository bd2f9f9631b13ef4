import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  DomainError,
  PreconditionFailedError,
  UnavailableError,
  type Violation,
} from '@app/modules/thresholds/domain/errors';
import {
  PROBLEM_CODES,
  buildProblem,
  codeForStatus,
  echoablePath,
  PROBLEM_CONTENT_TYPE,
  type ProblemCode,
} from '@app/modules/http/problem';

interface Answer {
  code: ProblemCode;
  detail: string;
  errors?: readonly Violation[];
  headers?: Record<string, string>;
}

const DOMAIN_CODES: Record<DomainError['kind'], ProblemCode> = {
  validation: 'VALIDATION_ERROR',
  bad_request: 'BAD_REQUEST',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  precondition_failed: 'PRECONDITION_FAILED',
  unavailable: 'SERVICE_UNAVAILABLE',
};

/** Details for the errors Fastify raises before a handler runs (body parsing, limits). */
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Request bodies must be sent as application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length header does not match the body.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send a JSON document.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than this endpoint accepts.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
};

/**
 * The one place errors become responses: every error is answered as problem+json (RFC 9457)
 * with the request id. Unexpected errors are logged with the request id and answered with a
 * generic 500 that reveals nothing internal.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const answer = this.answer(exception, request);
    const problem = buildProblem(
      answer.code,
      answer.detail,
      { instance: echoablePath(request.url), requestId: String(request.id) },
      answer.errors,
    );
    void reply
      .status(problem.status)
      .headers({ ...answer.headers, 'content-type': PROBLEM_CONTENT_TYPE })
      .send(JSON.stringify(problem));
  }

  private answer(exception: unknown, request: FastifyRequest): Answer {
    if (exception instanceof DomainError) {
      const answer: Answer = {
        code: isProblemCode(exception.problemCode) ? exception.problemCode : DOMAIN_CODES[exception.kind],
        detail: exception.message,
        errors: 'violations' in exception ? (exception.violations as readonly Violation[]) : undefined,
      };
      if (exception instanceof PreconditionFailedError) {
        answer.headers = { etag: `"${exception.currentVersion}"` };
      }
      if (exception instanceof UnavailableError) {
        answer.headers = { 'retry-after': String(exception.retryAfterSeconds) };
      }
      return answer;
    }
    const status = statusOf(exception);
    if (status !== undefined && status < 500) {
      const fastifyCode = fastifyCodeOf(exception);
      if (fastifyCode !== undefined) {
        return { code: codeForStatus(status), detail: FASTIFY_DETAILS[fastifyCode] };
      }
      if (status === 404) {
        return { code: 'NOT_FOUND', detail: `No route matches ${request.method} ${echoablePath(request.url)}.` };
      }
      return { code: codeForStatus(status), detail: clientMessage(exception) };
    }
    this.logger.error(
      { msg: 'unexpected error', request_id: String(request.id), err: describe(exception) },
      exception instanceof Error ? exception.stack : undefined,
    );
    return { code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred; quote the request id when reporting it.' };
  }
}

/** The code of a Fastify error, raw or wrapped by Nest in an HttpException's `cause`. */
function fastifyCodeOf(exception: unknown): string | undefined {
  for (const candidate of [exception, (exception as { cause?: unknown } | null)?.cause]) {
    const code = (candidate as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string' && code in FASTIFY_DETAILS) return code;
  }
  return undefined;
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : undefined;
}

/** The message of a 4xx framework error, which is written for clients. */
function clientMessage(exception: unknown): string {
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
    return typeof message === 'string' ? message : exception.message;
  }
  return exception instanceof Error ? exception.message : 'The request could not be processed.';
}

function describe(exception: unknown): { name: string; message: string } {
  return exception instanceof Error
    ? { name: exception.name, message: exception.message }
    : { name: typeof exception, message: String(exception) };
}

function isProblemCode(code: string | undefined): code is ProblemCode {
  return code !== undefined && code in PROBLEM_CODES;
}
