import fastJson from 'fast-json-stringify';
import { okResponse } from '@app/modules/http/response-schema';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import type { CatalogSnapshot, ThresholdPage } from '@app/modules/thresholds/catalog/catalog-snapshot';
import { encodeCursor } from '@app/modules/thresholds/http/cursor';
import { toThresholdResponse } from '@app/modules/thresholds/http/threshold.mapper';
import { thresholdResponse, type ThresholdResponse } from '@app/modules/thresholds/http/threshold.schemas';

/** A threshold's wire JSON, exactly as Fastify's serializer writes it for the `Threshold` schema. */
const serialize: (response: ThresholdResponse) => string = fastJson(
  (okResponse(thresholdResponse).response as Record<number, object>)[200],
);

const written = new WeakMap<Threshold, { readonly version: number; readonly bytes: Buffer }>();

/**
 * A threshold's JSON as UTF-8 bytes, serialized once per version and reused: a page of 100 is 100
 * cached buffers copied into one, a get by id one buffer sent as it is (no serialization, no
 * encoding, no length scan per request). Catalog entries are replaced, never changed, on a write;
 * the version check keeps the cache honest even for an object seen again under a newer version.
 */
export function thresholdJson(t: Threshold): Buffer {
  const cached = written.get(t);
  if (cached?.version === t.version) return cached.bytes;
  const bytes = Buffer.from(serialize(toThresholdResponse(t)));
  written.set(t, { version: t.version, bytes });
  return bytes;
}

const OPEN = Buffer.from('{"thresholds":[');
const COMMA = Buffer.from(',');

/** A page as the bytes fast-json-stringify writes for `ThresholdList`, from each threshold's cached JSON. */
export function pageJson(page: ThresholdPage): Buffer {
  const last = page.items[page.items.length - 1];
  const cursor = page.hasMore && last ? JSON.stringify(encodeCursor(last)) : 'null';
  const parts: Buffer[] = [OPEN];
  page.items.forEach((t, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(thresholdJson(t));
  });
  parts.push(Buffer.from(`],"count":${page.items.length},"next_cursor":${cursor}}`));
  return Buffer.concat(parts);
}

/** Rendered pages kept per snapshot, at most; a page larger than `PAGE_CACHE_BYTES` is not kept. */
const PAGE_CACHE_ENTRIES = 64;
const PAGE_CACHE_BYTES = 256 * 1024;

/**
 * The rendered pages of one catalog snapshot at one generation, by query: a page polled again (the
 * usual way a client follows the catalog) is sent from the same buffer, with no allocation at all
 * (a 45 KB buffer per request otherwise: garbage that grows the process's RSS under load). Any
 * change to the snapshot starts a new generation, and the pages of the old one are dropped.
 */
export class PageCache {
  private readonly bySnapshot = new WeakMap<CatalogSnapshot, { generation: number; pages: Map<string, Buffer> }>();

  page(snapshot: CatalogSnapshot, key: string, render: () => Buffer): Buffer {
    let held = this.bySnapshot.get(snapshot);
    if (held?.generation !== snapshot.generation) {
      held = { generation: snapshot.generation, pages: new Map() };
      this.bySnapshot.set(snapshot, held);
    }
    const known = held.pages.get(key);
    if (known) return known;
    const rendered = render();
    if (rendered.length <= PAGE_CACHE_BYTES) {
      if (held.pages.size >= PAGE_CACHE_ENTRIES) held.pages.clear();
      held.pages.set(key, rendered);
    }
    return rendered;
  }
}
