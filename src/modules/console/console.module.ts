import { Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Access } from '@app/modules/auth/auth.decorators';
import { NotFoundError } from '@app/modules/thresholds/domain/errors';

/** Where `npm run build` puts the console (web/dist), from src/modules/console or dist/modules/console. */
export const CONSOLE_DIR = join(__dirname, '..', '..', '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Hashed assets never change under their name; everything else is asked again. */
  immutable: boolean;
}

/** Every file of the built console, by its path under /console/ (read once: a few hundred KB). */
function readConsole(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const body = readFileSync(path);
      const key = relative(dir, path).split('\\').join('/');
      files.set(key, {
        body,
        type: TYPES[extname(name)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: key.startsWith('assets/'),
      });
    }
  };
  walk(dir);
  return files;
}

/** Anyone may load the console's files: what it shows comes from the API, which checks who asks. */
const PUBLIC: { access: Access } = { access: { public: true } };

/**
 * The console (CONTRACT §10), served by the service itself at /console/ from web/dist: hashed
 * assets cached for a year, `index.html` never cached and answered for every other path (deep
 * links: the console routes in the browser), a missing asset a 404. Registered on Fastify with
 * its access declared in the route's config, which the edge hook reads like a controller's.
 */
@Injectable()
export class ConsoleFiles implements OnModuleInit {
  private files = new Map<string, ConsoleFile>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    if (existsSync(join(CONSOLE_DIR, 'index.html'))) {
      this.files = readConsole(CONSOLE_DIR);
    } else {
      new Logger('Console').warn(`the console is not built (${CONSOLE_DIR}): npm run build makes it`);
    }
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    instance.get('/console', { config: PUBLIC }, (_request, reply) => reply.redirect('/console/', 308));
    instance.get('/console/*', { config: PUBLIC }, (request, reply) => this.serve(request, reply));
  }

  private serve(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    // Fastify decoded it; only a lookup in the map, never a file system path.
    const path = (request.params as { '*'?: string })['*'] ?? '';
    const index = this.files.get('index.html');
    if (!index) throw new NotFoundError('Console', '(not built: npm run build makes web/dist)');
    let file = this.files.get(path);
    if (!file) {
      // A path with an extension names a file that does not exist; any other is a page of the console.
      if (extname(path) !== '') throw new NotFoundError('Console file', path);
      file = index;
    }
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply
      .header('content-type', file.type)
      .header('etag', file.etag)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(file.body);
  }
}

@Module({ providers: [ConsoleFiles] })
export class ConsoleModule {}
