import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { MetricsCollector } from '@app/modules/metrics/metrics-collector.service';
import { Public } from '@app/modules/auth/auth.decorators';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** `GET /metrics`: the application's registry in the Prometheus text format. */
@Public()
@Controller()
export class MetricsController {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly collector: MetricsCollector,
  ) {}

  @Get()
  async index(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    this.collector.collect();
    void reply.header('content-type', this.registry.contentType).header('cache-control', 'no-store');
    return this.registry.metrics();
  }
}
