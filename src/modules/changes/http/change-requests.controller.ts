import { toImpactResponse } from '@app/modules/observations/http/impact.mapper';
import { impactWindowQuery, type ImpactWindowQuery } from '@app/modules/observations/http/observation.schemas';
import { windowOf } from '@app/modules/observations/observations.service';
import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast, type Principal } from '@app/modules/auth/api-keys';
import { RequireRole } from '@app/modules/auth/auth.decorators';
import { WriteCtx } from '@app/modules/http/request-context';
import { bodyPipe, paramPipe, queryPipe } from '@app/modules/http/schema.pipe';
import { ChangeRequestsService } from '@app/modules/changes/change-requests.service';
import type { ChangeRequest } from '@app/modules/changes/domain/change-request';
import {
  decodeChangeCursor,
  encodeChangeCursor,
  fromItemBody,
  toChangeRequestResponse,
} from '@app/modules/changes/http/change-request.mapper';
import {
  applyBody,
  createChangeRequestBody,
  listChangeRequestsQuery,
  patchChangeRequestBody,
  reviewBody,
  scheduleBody,
  type ApplyBody,
  type CreateChangeRequestBody,
  type ListChangeRequestsQuery,
  type PatchChangeRequestBody,
  type ReviewBody,
  type ScheduleBody,
} from '@app/modules/changes/http/change-request.schemas';
import { ForbiddenError } from '@app/modules/thresholds/domain/errors';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';
import { idParam } from '@app/modules/thresholds/http/threshold.schemas';
import { etagOf, expectedVersion } from '@app/modules/thresholds/http/etag';

export const CHANGE_REQUESTS_PATH = 'v1/admin/risk/change-requests';

/** Change requests (CONTRACT §7.3): editors write and review them; an emergency apply is an admin's. */
@RequireRole('editor')
@Controller(CHANGE_REQUESTS_PATH)
export class ChangeRequestsController {
  constructor(private readonly changes: ChangeRequestsService) {}

  @Post()
  async create(
    @Body(bodyPipe(createChangeRequestBody)) body: CreateChangeRequestBody,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const created = await this.changes.create(
      { title: body.title, reason: body.reason, ticket: body.ticket ?? null, items: body.items.map(fromItemBody) },
      ctx,
    );
    void reply.header('location', `/${CHANGE_REQUESTS_PATH}/${created.id}`);
    return this.answer(reply, created);
  }

  @Get()
  async list(
    @Query(queryPipe(listChangeRequestsQuery)) query: ListChangeRequestsQuery,
    @WriteCtx() ctx: WriteContext,
  ): Promise<unknown> {
    const after = query.cursor === undefined ? undefined : decodeChangeCursor(query.cursor);
    const page = await this.changes.list(
      {
        state: query.state,
        createdBy: query.created_by,
        awaitingReviewBy: query.awaiting_review_by === 'me' ? ctx.actor : undefined,
      },
      query.limit + 1,
      after,
    );
    const items = page.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      change_requests: items.map((cr) => toChangeRequestResponse(cr, this.changes.policy)),
      count: items.length,
      next_cursor: page.length > query.limit && last ? encodeChangeCursor(last) : null,
    };
  }

  @Get(':id')
  async get(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(reply, await this.changes.get(id));
  }

  /** The impact of the request's items now (CONTRACT §8.3), over `?from=&to=` (default: the last 30 days). */
  @Get(':id/impact')
  async impact(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Query(queryPipe(impactWindowQuery)) query: ImpactWindowQuery,
  ): Promise<unknown> {
    const window = windowOf(query);
    return toImpactResponse(await this.changes.impactNow(id, window), window);
  }

  @Patch(':id')
  async edit(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(patchChangeRequestBody)) body: PatchChangeRequestBody,
    @Headers('if-match') ifMatch: string | undefined,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const changes = {
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      ...(body.ticket !== undefined ? { ticket: body.ticket } : {}),
      ...(body.items !== undefined ? { items: body.items.map(fromItemBody) } : {}),
    };
    return this.answer(reply, await this.changes.edit(id, changes, ctx, expectedVersion(ifMatch)));
  }

  @Post(':id/submit')
  @HttpCode(200)
  async submit(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(reply, await this.changes.submit(id, expectedVersion(ifMatch)));
  }

  @Post(':id/reviews')
  async review(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(reviewBody)) body: ReviewBody,
    @Headers('if-match') ifMatch: string | undefined,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(
      reply,
      await this.changes.review(id, ctx.actor, body.decision, body.comment ?? null, expectedVersion(ifMatch)),
    );
  }

  @Post(':id/apply')
  @HttpCode(200)
  async apply(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(applyBody.optional())) body: ApplyBody | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @WriteCtx() ctx: WriteContext,
    @Req() request: FastifyRequest & { principal?: Principal },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const emergency = body?.emergency === true;
    if (emergency && !(request.principal && roleAtLeast(request.principal.role, 'admin'))) {
      throw new ForbiddenError('An emergency apply needs the admin role.');
    }
    return this.answer(
      reply,
      await this.changes.apply(id, emergency ? 'emergency' : 'manual', ctx, undefined, expectedVersion(ifMatch)),
    );
  }

  @Post(':id/schedule')
  @HttpCode(200)
  async schedule(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(scheduleBody)) body: ScheduleBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(reply, await this.changes.schedule(id, new Date(body.at), expectedVersion(ifMatch)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(reply, await this.changes.cancel(id, expectedVersion(ifMatch)));
  }

  private answer(reply: FastifyReply, cr: ChangeRequest): unknown {
    void reply.header('etag', etagOf(cr.revision));
    return toChangeRequestResponse(cr, this.changes.policy);
  }
}
