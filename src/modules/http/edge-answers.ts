import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, statusProblem } from '@app/modules/http/problem';
import { SECURITY_HEADERS } from '@app/modules/http/security-headers';

/**
 * Answers made below the application: by Fastify before routing (`frameworkErrors`) and by Node's
 * HTTP parser (`clientErrorHandler`). They look like every other answer of the service:
 * problem+json with the right `status`, a request id (header and body), the security headers,
 * and never an echo of the URL or a header.
 */

function frameworkDetail(status: number): string {
  return status === 414 ? 'A path parameter is over 100 characters.' : 'The request URL is malformed.';
}

/** Fastify's errors before routing: a path parameter too long (`414`), a malformed URL (`400`). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  sendEdgeProblem(request, reply, status, frameworkDetail(status));
}

/**
 * An HTTP/1.1 request without `Host` (RFC 9112 §3.2): Node would answer a bare 400 of its own
 * (`requireHostHeader`, turned off in the adapter so the answer is ours). Answers whether it did.
 */
export function refuseMissingHost(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return false;
  sendEdgeProblem(request, reply, 400, 'An HTTP/1.1 request must carry a Host header.');
  return true;
}

function sendEdgeProblem(request: FastifyRequest, reply: FastifyReply, status: number, detail: string): void {
  const problem = statusProblem(status, detail, {
    instance: occurrence(String(request.id)), // never the URL: it may be the bad part
    requestId: String(request.id),
  });
  void reply
    .code(status)
    .headers(SECURITY_HEADERS)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('x-request-id', String(request.id))
    .send(JSON.stringify(problem));
}

/** `instance` of an answer whose URL is unknown or not to be echoed: the occurrence's request id. */
function occurrence(requestId: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(requestId)
    ? `urn:uuid:${requestId}`
    : '/';
}

const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    detail: 'The request did not arrive whole within the request timeout (HTTP_REQUEST_TIMEOUT_MS).',
  },
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request line and headers are over 16 KiB.' },
};

/** Writes a whole problem+json answer straight to a socket, then closes it (our side first). */
function writeRawProblem(socket: Duplex, status: number, detail: string): void {
  const requestId = randomUUID();
  const body = JSON.stringify(statusProblem(status, detail, { instance: occurrence(requestId), requestId }));
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`);
}

/**
 * Node's `clientError`: a request the HTTP parser refused (not HTTP, an unknown method, headers
 * over the limit) or one that timed out. Answered as problem+json when nothing of an answer has
 * been written on the connection yet, then the connection is closed. A connection that timed out
 * without sending a byte (a preconnected socket) is closed without an answer, which a client
 * could take for the answer to the request it sends next.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const silent = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.bytesRead === 0;
  if (socket.writable && !inFlight?.headersSent && !silent) {
    const { status, detail } = CLIENT_ERRORS[error.code ?? ''] ?? {
      status: 400,
      detail: 'The request is not valid HTTP/1.1 (request line, method or headers).',
    };
    writeRawProblem(socket, status, detail);
    return;
  }
  socket.destroy(error);
}

/** An `Expect` header other than `100-continue` (RFC 9110 §10.1.1): 417, as problem+json. */
export function refuseExpectation(socket: Duplex): void {
  writeRawProblem(socket, 417, "The only expectation this service meets is 'Expect: 100-continue'.");
}

/** `CONNECT` (Node hands it to a `connect` listener, or drops the socket): this is no proxy. */
export function refuseConnect(_request: IncomingMessage, socket: Duplex): void {
  writeRawProblem(socket, 400, 'CONNECT is not supported: this service is not a proxy.');
}
