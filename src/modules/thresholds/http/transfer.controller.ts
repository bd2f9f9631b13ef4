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
import { ChangeRequestsService } from '@app/modules/changes/change-requests.service';
import type { ChangeItem } from '@app/modules/changes/domain/change-request';
import { MAX_CHANGE_ITEMS } from '@app/modules/changes/http/change-request.schemas';
import { toChangeRequestResponse } from '@app/modules/changes/http/change-request.mapper';
import { CHANGE_REQUESTS_PATH } from '@app/modules/changes/http/change-requests.controller';
import { ValidationError } from '@app/modules/thresholds/domain/errors';
import type { PlannedImport } from '@app/modules/thresholds/domain/import-plan';
import { fieldsOf } from '@app/modules/thresholds/domain/threshold';
import { etagOf } from '@app/modules/thresholds/http/etag';

export const IMPORT_PATH = '/v1/admin/risk/threshold-import';

/** Bulk export and import (CONTRACT §3.3). */
@RequireRole('admin')
@Controller('v1/admin/risk')
export class TransferController {
  constructor(
    private readonly transfer: TransferService,
    private readonly changes: ChangeRequestsService,
  ) {}

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
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const items = parseImportBody(body);
    if (query.as_change_request && query.dry_run) {
      throw new ValidationError(
        [
          {
            field: '/dry_run',
            message: 'cannot be combined with as_change_request (which writes nothing already)',
            code: 'invalid',
          },
        ],
        'as_change_request=true writes no threshold; leave dry_run out.',
      );
    }
    if (query.as_change_request) {
      const plan = await this.transfer.plan(items, query.mode, ctx);
      const { created, updated, deleted } = plan.counts;
      const proposal = await this.changes.create(
        {
          title: `Import (${query.mode}): ${created} created, ${updated} updated, ${deleted} deleted`,
          reason: `Imported from a file by ${ctx.actor}. Say why these thresholds change before submitting.`,
          ticket: null,
          items: itemsOfImport(plan),
        },
        ctx,
      );
      void reply
        .code(201)
        .header('location', `/${CHANGE_REQUESTS_PATH}/${proposal.id}`)
        .header('etag', etagOf(proposal.revision));
      return toChangeRequestResponse(proposal, this.changes.policy);
    }
    const counts = await this.transfer.import(items, { mode: query.mode, dryRun: query.dry_run }, ctx);
    return { ...counts, dry_run: query.dry_run };
  }
}

/** What an import would do, as the items of a change request (each based on the version it would change). */
function itemsOfImport(plan: PlannedImport): ChangeItem[] {
  const items: ChangeItem[] = [
    ...plan.creates.map((t) => ({
      op: 'create' as const,
      thresholdId: t.id,
      baseVersion: null,
      threshold: fieldsOf(t),
    })),
    ...plan.updates.map(({ threshold, expectedVersion }) => ({
      op: 'update' as const,
      thresholdId: threshold.id,
      baseVersion: expectedVersion,
      threshold: fieldsOf(threshold),
    })),
    ...plan.deletes.map(({ id, expectedVersion }) => ({
      op: 'delete' as const,
      thresholdId: id,
      baseVersion: expectedVersion,
      threshold: null,
    })),
  ];
  if (items.length > MAX_CHANGE_ITEMS) {
    throw new ValidationError(
      [
        {
          field: '/',
          message: `would make ${items.length} items; a change request holds at most ${MAX_CHANGE_ITEMS}`,
          code: 'too_large',
        },
      ],
      `The import would change ${items.length} thresholds; a change request holds at most ${MAX_CHANGE_ITEMS}: split the file.`,
    );
  }
  if (items.length === 0) {
    throw new ValidationError(
      [{ field: '/', message: 'every item equals the stored threshold', code: 'unchanged' }],
      'The import changes nothing, so there is nothing to propose.',
    );
  }
  return items;
}
