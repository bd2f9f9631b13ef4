import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { StorageStatus } from '@app/modules/health/storage-status.service';

/**
 * While the database is down, every answer is served from the last snapshot and says so:
 * `X-Data-Stale: true` and `Warning: 110 - "Response is Stale"` (RFC 7234).
 */
@Injectable()
export class StaleDataHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly storage: StorageStatus,
  ) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    instance.addHook('onSend', (_request, reply, payload, done) => {
      if (this.storage.degraded) {
        void reply.header('x-data-stale', 'true').header('warning', '110 - "Response is Stale"');
      }
      done(null, payload);
    });
  }
}
