import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { compiledCheck } from '@app/modules/http/compiled-check';
import type { EdgeRouteConfig } from '@app/modules/http/edge/route-config';
import { okResponse } from '@app/modules/http/response-schema';
import { bodyPipe, paramPipe, queryPipe, type SchemaPipe } from '@app/modules/http/schema.pipe';
import { canonicalId } from '@app/modules/thresholds/domain/threshold';
import { z } from 'zod';
import { ClassificationService, type ClassifyRequest } from '@app/modules/thresholds/classification.service';
import { NotFoundError } from '@app/modules/thresholds/domain/errors';
import { toClassificationResponse, toMatchResponse } from '@app/modules/thresholds/http/classification.mapper';
import { decodeCursor } from '@app/modules/thresholds/http/cursor';
import { etagOf } from '@app/modules/thresholds/http/etag';
import { PageCache, pageJson, thresholdJson } from '@app/modules/thresholds/http/threshold-json';
import { ThresholdCatalog } from '@app/modules/thresholds/catalog/threshold-catalog';
import { filterFromQuery } from '@app/modules/thresholds/http/threshold.mapper';
import {
  classificationBatchResponse,
  classificationResponse,
  classifyBatchBody,
  classifyBody,
  idParam,
  listQuery,
  matchQuery,
  matchResponse,
  type ClassifyBody,
} from '@app/modules/thresholds/http/threshold.schemas';
import { ThresholdsService } from '@app/modules/thresholds/thresholds.service';

/** The hot routes' declaration: the same `access` a controller's `@RequireRole('reader')` writes. */
const READER: EdgeRouteConfig = { access: { role: 'reader' } };
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The hot paths of CONTRACT §3.1 (classify, batch, get by id, match, list), registered on Fastify
 * directly: each request runs the same edge hooks as every other route (its `config` declares its
 * access like a controller's decorators; budget and log policy are filled in as it registers), and
 * then the handler alone, with no Nest router, pipes or exception zone between. Bodies and queries
 * are checked by validation compiled from their zod schemas (`compiledCheck`; the list query by
 * its zod schema, which has defaults); answers are serialized by fast-json-stringify from the
 * documented response schemas, a threshold's JSON once per version (`thresholdJson`), a list page
 * once per catalog generation and query (`PageCache`). Errors thrown here reach Fastify's error
 * handler, which Nest wires to the same problem+json filter as the controllers'.
 */
@Injectable()
export class HotRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly thresholds: ThresholdsService,
    private readonly classification: ClassificationService,
    private readonly catalog: ThresholdCatalog,
  ) {}

  private readonly pages = new PageCache();

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const routes = this.routes();
    for (const route of routes) instance.route(route);
    // Nest's "Mapped {…} route" lines list its controllers' routes only.
    new Logger('HotRoutes').log(
      `Mapped on Fastify directly: ${routes.map((r) => `{${r.url}, ${String(r.method)}}`).join(', ')}`,
    );
  }

  routes(): RouteOptions[] {
    const classifyCheck = compiledCheck(classifyBody, bodyPipe(classifyBody));
    const batchCheck = compiledCheck(classifyBatchBody, bodyPipe(classifyBatchBody));
    const matchCheck = compiledCheck(matchQuery, queryPipe(matchQuery));
    const listPipe = queryPipe(listQuery);
    const idCheck = uuidCheck(paramPipe('id', idParam));
    return [
      {
        method: 'POST',
        url: '/v1/risk/classify',
        config: READER,
        schema: okResponse(classificationResponse),
        handler: (request: FastifyRequest) =>
          toClassificationResponse(this.classification.classify(toRequest(classifyCheck(request.body)))),
      },
      {
        method: 'POST',
        url: '/v1/risk/classify/batch',
        config: READER,
        schema: okResponse(classificationBatchResponse),
        handler: (request: FastifyRequest) => {
          const results = this.classification.classifyBatch(batchCheck(request.body).items.map(toRequest));
          return { results: results.map(toClassificationResponse) };
        },
      },
      {
        method: 'GET',
        url: '/v1/risk/thresholds',
        config: READER,
        handler: (request: FastifyRequest, reply: FastifyReply) => {
          const query = listPipe.transform(request.query);
          const snapshot = this.catalog.current();
          // Unambiguous whatever the values hold (NUL included).
          const key = JSON.stringify([
            query.category,
            query.industry_code,
            query.business_type,
            query.limit,
            query.cursor,
          ]);
          const body = this.pages.page(snapshot, key, () =>
            pageJson(
              snapshot.list({
                filter: filterFromQuery({ ...query, is_active: true }),
                limit: query.limit,
                after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
              }),
            ),
          );
          void reply.type(JSON_TYPE).send(body);
          return reply;
        },
      },
      {
        method: 'GET',
        url: '/v1/risk/thresholds/match',
        config: READER,
        schema: okResponse(matchResponse),
        handler: (request: FastifyRequest) => {
          const query = matchCheck(request.query);
          return toMatchResponse(
            this.classification.match({
              category: query.category,
              industryCode: query.industry_code,
              businessType: query.business_type,
            }),
          );
        },
      },
      {
        method: 'GET',
        url: '/v1/risk/thresholds/:id',
        config: READER,
        handler: (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
          // An empty id (`/v1/risk/thresholds/`) matches no route, as Nest answers for its routes.
          if (request.params.id === '') return reply.callNotFound();
          const id = idCheck(request.params.id);
          const t = this.thresholds.get(id);
          // The public API shows active thresholds only; editors see inactive ones in the admin API.
          if (!t.isActive) throw new NotFoundError('Threshold', id);
          void reply.header('etag', etagOf(t.version)).type(JSON_TYPE).send(thresholdJson(t));
          return reply;
        },
      },
    ] as RouteOptions[];
  }
}

/**
 * The id parameter's check: the canonical (lower-case) form of a UUID as zod's `z.uuid()` accepts
 * it, tested with zod's own pattern; anything else goes through the zod schema for its answer.
 */
export function uuidCheck(pipe: SchemaPipe<typeof idParam>): (value: unknown) => string {
  const uuid = z.regexes.uuid();
  return (value: unknown) => {
    if (typeof value === 'string') {
      const id = canonicalId(value);
      if (uuid.test(id)) return id;
    }
    return pipe.transform(value);
  };
}

function toRequest(body: ClassifyBody): ClassifyRequest {
  return {
    score: body.score,
    category: body.category,
    industryCode: body.industry_code,
    businessType: body.business_type,
  };
}
