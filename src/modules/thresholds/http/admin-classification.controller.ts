import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequireRole } from '@app/modules/auth/auth.decorators';
import { bodyPipe } from '@app/modules/http/schema.pipe';
import { toClassificationResponse } from '@app/modules/thresholds/http/classification.mapper';
import { pastClassifyBody, type PastClassifyBody } from '@app/modules/thresholds/http/threshold.schemas';
import { PastClassificationService } from '@app/modules/thresholds/past-classification.service';

/** Reproducing a past decision (CONTRACT §7.4). */
@RequireRole('editor')
@Controller('v1/admin/risk')
export class AdminClassificationController {
  constructor(private readonly past: PastClassificationService) {}

  @Post('classify')
  @HttpCode(200)
  async classifyAsOf(@Body(bodyPipe(pastClassifyBody)) body: PastClassifyBody): Promise<unknown> {
    const asOf = new Date(body.as_of);
    const request = {
      score: body.score,
      category: body.category,
      industryCode: body.industry_code,
      businessType: body.business_type,
    };
    return { ...toClassificationResponse(await this.past.classifyAsOf(request, asOf)), as_of: asOf.toISOString() };
  }
}
