import fastJson from 'fast-json-stringify';
import { okResponse } from '@app/modules/http/response-schema';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import { toThresholdResponse } from '@app/modules/thresholds/http/threshold.mapper';
import { thresholdResponse, type ThresholdResponse } from '@app/modules/thresholds/http/threshold.schemas';

/** A threshold's wire JSON, exactly as Fastify's serializer writes it for the `Threshold` schema. */
const serialize: (response: ThresholdResponse) => string = fastJson(
  (okResponse(thresholdResponse).response as Record<number, object>)[200],
);

const written = new WeakMap<Threshold, { readonly version: number; readonly json: string }>();

/**
 * A threshold's JSON, serialized once per version and reused: a list page of 100 is 100 cached
 * strings joined, a get by id one. Catalog entries are immutable; the version check keeps the
 * cache honest even for an object seen again under a newer version.
 */
export function thresholdJson(t: Threshold): string {
  const cached = written.get(t);
  if (cached?.version === t.version) return cached.json;
  const json = serialize(toThresholdResponse(t));
  written.set(t, { version: t.version, json });
  return json;
}
