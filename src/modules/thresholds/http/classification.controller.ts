import { Controller, Get, Query } from '@nestjs/common';
import { queryPipe } from '@app/modules/http/schema.pipe';
import { CATEGORY_INFO, RISK_FACTORS } from '@app/modules/thresholds/domain/reference-data';
import { factorsQuery } from '@app/modules/thresholds/http/threshold.schemas';
import type { z } from 'zod';
import { RequireRole } from '@app/modules/auth/auth.decorators';

/** Reference data (CONTRACT §3.1); classification itself is a hot route (`hot-routes.ts`). */
@RequireRole('reader')
@Controller('v1/risk')
export class ClassificationController {
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
