import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WriteCtx } from '@app/modules/http/request-context';
import { queryPipe } from '@app/modules/http/schema.pipe';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';
import { parseImportBody } from '@app/modules/thresholds/http/import-body';
import { toThresholdResponse } from '@app/modules/thresholds/http/threshold.mapper';
import { importQuery, type ImportQuery } from '@app/modules/thresholds/http/threshold.schemas';
import { TransferService } from '@app/modules/thresholds/transfer.service';
import { RequireRole } from '@app/modules/auth/auth.decorators';

export const IMPORT_PATH = '/v1/admin/risk/threshold-import';

/** Bulk export and import (CONTRACT §3.3). */
@RequireRole('admin')
@Controller('v1/admin/risk')
export class TransferController {
  constructor(private readonly transfer: TransferService) {}

  @Get('threshold-export')
  async export(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    void reply.header('content-disposition', 'attachment; filename=thresholds_export.json');
    return (await this.transfer.exportAll()).map(toThresholdResponse);
  }

  @Post('threshold-import')
  @HttpCode(200)
  async import(
    @Query(queryPipe(importQuery)) query: ImportQuery,
    @Body() body: unknown,
    @WriteCtx() ctx: WriteContext,
  ): Promise<unknown> {
    const counts = await this.transfer.import(parseImportBody(body), { mode: query.mode, dryRun: query.dry_run }, ctx);
    return { ...counts, dry_run: query.dry_run };
  }
}
