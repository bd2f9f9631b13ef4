import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { RequireRole } from '@app/modules/auth/auth.decorators';
import { fromItemBody } from '@app/modules/changes/http/change-request.mapper';
import { bodyPipe, queryPipe } from '@app/modules/http/schema.pipe';
import { toImpactResponse } from '@app/modules/observations/http/impact.mapper';
import { normalBusinessType } from '@app/modules/observations/domain/observation';
import {
  distributionQuery,
  impactBody,
  type DistributionQuery,
  type ImpactBody,
} from '@app/modules/observations/http/observation.schemas';
import { ObservationsService, windowOf } from '@app/modules/observations/observations.service';

/** Score distribution and impact analysis (CONTRACT §8.2-8.3): editors, who propose changes. */
@RequireRole('editor')
@Controller('v1/admin/risk')
export class ObservationsController {
  constructor(private readonly observations: ObservationsService) {}

  @Get('score-distribution')
  async distribution(@Query(queryPipe(distributionQuery)) query: DistributionQuery): Promise<unknown> {
    const window = windowOf(query);
    const binWidth = query.bin_width ?? 100;
    const d = await this.observations.distribution(
      {
        ...window,
        category: query.category,
        industryCode: query.industry_code?.toUpperCase(),
        businessType: query.business_type === undefined ? undefined : normalBusinessType(query.business_type),
      },
      binWidth,
    );
    return {
      ...window,
      total: d.total,
      bin_width: binWidth / 100,
      bins: d.bins.map((b) => ({ lower: b.lower / 100, count: b.count })),
      levels: d.levels,
    };
  }

  @Post('impact')
  @HttpCode(200)
  async impact(@Body(bodyPipe(impactBody)) body: ImpactBody): Promise<unknown> {
    const window = windowOf(body);
    return toImpactResponse(await this.observations.impact(body.items.map(fromItemBody), window), window);
  }
}
