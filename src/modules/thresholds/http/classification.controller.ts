import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { okResponse } from '@app/modules/http/response-schema';
import { bodyPipe, queryPipe } from '@app/modules/http/schema.pipe';
import { ClassificationService } from '@app/modules/thresholds/classification.service';
import { CATEGORY_INFO, RISK_FACTORS } from '@app/modules/thresholds/domain/reference-data';
import { toClassificationResponse } from '@app/modules/thresholds/http/classification.mapper';
import {
  classificationBatchResponse,
  classificationResponse,
  classifyBatchBody,
  classifyBody,
  factorsQuery,
  type ClassifyBatchBody,
  type ClassifyBody,
} from '@app/modules/thresholds/http/threshold.schemas';
import type { z } from 'zod';
import { RequireRole } from '@app/modules/auth/auth.decorators';

/** Classification and reference data (CONTRACT §3.1). */
@RequireRole('reader')
@Controller('v1/risk')
export class ClassificationController {
  constructor(private readonly classification: ClassificationService) {}

  @Post('classify')
  @HttpCode(200)
  @RouteSchema(okResponse(classificationResponse))
  async classify(@Body(bodyPipe(classifyBody)) body: ClassifyBody): Promise<unknown> {
    return toClassificationResponse(this.classification.classify(toRequest(body)));
  }

  @Post('classify/batch')
  @HttpCode(200)
  @RouteSchema(okResponse(classificationBatchResponse))
  async classifyBatch(@Body(bodyPipe(classifyBatchBody)) body: ClassifyBatchBody): Promise<unknown> {
    const results = this.classification.classifyBatch(body.items.map(toRequest));
    return { results: results.map(toClassificationResponse) };
  }

  @Get('categories')
  categories(): unknown {
    return { categories: CATEGORY_INFO.map((c) => ({ name: c.name, description: c.description })) };
  }

  @Get('factors')
  factors(@Query(queryPipe(factorsQuery)) query: z.output<typeof factorsQuery>): unknown {
    const factors = RISK_FACTORS.filter((f) => query.category === undefined || f.category === query.category);
    return { factors: factors.map((f) => ({ ...f, bands: { ...f.bands } })) };
  }
}

function toRequest(body: ClassifyBody): Parameters<ClassificationService['classify']>[0] {
  return {
    score: body.score,
    category: body.category,
    industryCode: body.industry_code,
    businessType: body.business_type,
  };
}
