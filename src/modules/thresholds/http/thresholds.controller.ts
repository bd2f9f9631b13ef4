import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { okResponse } from '@app/modules/http/response-schema';
import { NotFoundError } from '@app/modules/thresholds/domain/errors';
import { paramPipe, queryPipe } from '@app/modules/http/schema.pipe';
import { ClassificationService } from '@app/modules/thresholds/classification.service';
import { toMatchResponse, toPageResponse } from '@app/modules/thresholds/http/classification.mapper';
import { decodeCursor } from '@app/modules/thresholds/http/cursor';
import { etagOf } from '@app/modules/thresholds/http/etag';
import { filterFromQuery, toThresholdResponse } from '@app/modules/thresholds/http/threshold.mapper';
import {
  idParam,
  listQuery,
  matchQuery,
  matchResponse,
  thresholdListResponse,
  thresholdResponse,
  type ListQuery,
  type MatchQuery,
} from '@app/modules/thresholds/http/threshold.schemas';
import { ThresholdsService } from '@app/modules/thresholds/thresholds.service';
import { RequireRole } from '@app/modules/auth/auth.decorators';

/** Public reads (CONTRACT §3.1): active thresholds only. */
@RequireRole('reader')
@Controller('v1/risk/thresholds')
export class ThresholdsController {
  constructor(
    private readonly thresholds: ThresholdsService,
    private readonly classification: ClassificationService,
  ) {}

  @Get()
  @RouteSchema(okResponse(thresholdListResponse))
  async list(@Query(queryPipe(listQuery)) query: ListQuery): Promise<unknown> {
    const page = this.thresholds.list(
      filterFromQuery({ ...query, is_active: true }),
      query.limit,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    );
    return toPageResponse(page);
  }

  @Get('match')
  @RouteSchema(okResponse(matchResponse))
  async match(@Query(queryPipe(matchQuery)) query: MatchQuery): Promise<unknown> {
    const result = this.classification.match({
      category: query.category,
      industryCode: query.industry_code,
      businessType: query.business_type,
    });
    return toMatchResponse(result);
  }

  @Get(':id')
  @RouteSchema(okResponse(thresholdResponse))
  async get(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const t = this.thresholds.get(id);
    // The public API shows active thresholds only; editors see inactive ones in the admin API.
    if (!t.isActive) throw new NotFoundError('Threshold', id);
    void reply.header('etag', etagOf(t.version));
    return toThresholdResponse(t);
  }
}
