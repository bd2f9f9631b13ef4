import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { EdgePipeline } from '@app/modules/http/edge/edge-pipeline';
import { LifecycleService } from '@app/modules/health/lifecycle.service';
import { StorageStatus } from '@app/modules/health/storage-status.service';

/**
 * Headers that tell clients about the service's state, the edge pipeline's `state-headers` step:
 * - while the database is down, an API answer served from the last snapshot says so:
 *   `X-Data-Stale: true` and `Warning: 110 - "Response is Stale"` (RFC 7234). Only successful
 *   answers of `/v1` routes: probes, metrics and docs are not data, and an error served nothing;
 * - once a graceful shutdown has begun, `Connection: close`: keep-alive clients open their next
 *   connection elsewhere, and no connection that was busy when the server closed stays open idle
 *   (which would hold the shutdown until the keep-alive timeout).
 */
@Injectable()
export class StateHeadersHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly storage: StorageStatus,
    private readonly lifecycle: LifecycleService,
  ) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    EdgePipeline.of(instance).onSend('state-headers', (_request, reply, route) => {
      if (this.storage.degraded && reply.statusCode < 300 && route?.url?.startsWith('/v1/')) {
        void reply.header('x-data-stale', 'true').header('warning', '110 - "Response is Stale"');
      }
      if (this.lifecycle.shuttingDown) void reply.header('connection', 'close');
    });
  }
}
