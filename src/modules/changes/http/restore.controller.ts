import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '@app/modules/auth/auth.decorators';
import { WriteCtx } from '@app/modules/http/request-context';
import { bodyPipe, paramPipe } from '@app/modules/http/schema.pipe';
import { ChangeRequestsService } from '@app/modules/changes/change-requests.service';
import { toChangeRequestResponse } from '@app/modules/changes/http/change-request.mapper';
import { CHANGE_REQUESTS_PATH } from '@app/modules/changes/http/change-requests.controller';
import { restoreBody, type RestoreBody } from '@app/modules/changes/http/change-request.schemas';
import type { WriteContext } from '@app/modules/thresholds/domain/writes';
import { etagOf } from '@app/modules/thresholds/http/etag';
import { idParam } from '@app/modules/thresholds/http/threshold.schemas';

/** Restore (CONTRACT §7.3): a past version of a threshold, proposed as a draft change request. */
@RequireRole('editor')
@Controller('v1/admin/risk/thresholds')
export class RestoreController {
  constructor(private readonly changes: ChangeRequestsService) {}

  @Post(':id/restore')
  async restore(
    @Param('id', paramPipe('id', idParam)) id: string,
    @Body(bodyPipe(restoreBody)) body: RestoreBody,
    @WriteCtx() ctx: WriteContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const draft = await this.changes.restore(id, body.version, body.reason, ctx);
    void reply.header('location', `/${CHANGE_REQUESTS_PATH}/${draft.id}`).header('etag', etagOf(draft.revision));
    return toChangeRequestResponse(draft, this.changes.policy);
  }
}
