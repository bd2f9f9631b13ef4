import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WriteCtx } from '@app/modules/http/request-context';
import { bodyPipe, paramPipe, queryPipe } from '@app/modules/http/schema.pipe';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';
import { toPageResponse } from '@app/modules/thresholds/http/classification.mapper';
import { decodeCursor } from '@app/modules/thresholds/http/cursor';
import { etagOf, expectedVersion } from '@app/modules/thresholds/http/etag';
import { idempotencyClaim } from '@app/modules/thresholds/http/idempotency';
import {
  filterFromQuery,
  fromCreateBody,
  fromPatchBody,
  toHistoryResponse,
  toThresholdResponse,
  toVersionResponse,
} from '@app/modules/thresholds/http/threshold.mapper';
import {
  adminListQuery,
  createThresholdBody,
  idParam,
  patchThresholdBody,
  versionParam,
  type AdminListQuery,
  type CreateThresholdBody,
  type PatchThresholdBody,
} from '@app/modules/thresholds/http/threshold.schemas';
import { ThresholdsService } from '@app/modules/thresholds/thresholds.service';
import { RequireRole } from '@app/modules/auth/auth.decorators';

export const ADMIN_THRESHOLDS_PATH = 'v1/admin/risk/thresholds';

/** Threshold management (CONTRACT §3.2). */
@RequireRole('editor')
@Controller(ADMIN_THRESHOLDS_PATH)
export class AdminThresholdsController {
  constructor(private readonly thresholds: ThresholdsService) {}

  @Get()
  async list(@Query(queryPipe(adminListQuery)) query: AdminListQuery): Promise<unknown> {
    const page = this.thresholds.list(
      filterFromQuery(query),
      query.limit,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    );
    return toPageResponse(page);
  }

  @Post()
  async create(
    @Body(bodyPipe(createThresholdBody)) body: CreateThresholdBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const input = fromCreateBody(body);
    let created: Threshold;
    if (idempotencyKey === undefined) {
      created = await this.thresholds.create(input, ctx);
    } else {
      const result = await this.thresholds.createIdempotent(input, ctx, idempotencyClaim(idempotencyKey, body));
      created = result.threshold;
      if (result.replayed) void reply.header('idempotent-replayed', 'true');
    }
    void reply.header('location', `/${ADMIN_THRESHOLDS_PATH}/${created.id}`);
    return this.withEtag(reply, created);
  }

  @Get(':id')
  async get(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.withEtag(reply, this.thresholds.get(id));
  }

  @Get(':id/history')
  async history(@Param('id', paramPipe('id', idParam)) id: string): Promise<unknown> {
    const entries = await this.thresholds.history(id);
    return { threshold_id: id, history: entries.map(toHistoryResponse) };
  }

  /** A threshold as it stood at one version, deleted ones included (CONTRACT §7.4). */
  @Get(':id/versions/:version')
  async version(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Param('version', paramPipe('version', versionParam)) version: number,
  ): Promise<unknown> {
    return toVersionResponse(await this.thresholds.version(id, version));
  }

  @Patch(':id')
  patch(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(patchThresholdBody)) body: PatchThresholdBody,
    @Headers('if-match') ifMatch: string | undefined,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.change(id, body, ifMatch, ctx, reply);
  }

  /** Same partial semantics as PATCH (CONTRACT §3.2). */
  @Put(':id')
  put(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(patchThresholdBody)) body: PatchThresholdBody,
    @Headers('if-match') ifMatch: string | undefined,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.change(id, body, ifMatch, ctx, reply);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @WriteCtx() ctx: WriteContext,
  ): Promise<void> {
    await this.thresholds.delete(id, { ...ctx, expectedVersion: expectedVersion(ifMatch) });
  }

  private async change(
    id: string,
    body: PatchThresholdBody,
    ifMatch: string | undefined,
    ctx: WriteContext,
    reply: FastifyReply,
  ): Promise<unknown> {
    const updated = await this.thresholds.update(id, fromPatchBody(body), {
      ...ctx,
      expectedVersion: expectedVersion(ifMatch),
    });
    return this.withEtag(reply, updated);
  }

  private withEtag(reply: FastifyReply, t: Threshold): unknown {
    void reply.header('etag', etagOf(t.version));
    return toThresholdResponse(t);
  }
}
