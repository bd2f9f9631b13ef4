import { z } from 'zod';
import { ValidationError } from '@app/modules/thresholds/domain/errors';
import type { Threshold } from '@app/modules/thresholds/domain/threshold';
import type { ListPosition } from '@app/modules/thresholds/catalog/catalog-snapshot';

const positionSchema = z.tuple([z.number().int(), z.iso.datetime(), z.uuid()]);

/** An opaque cursor pointing after `t` in list order. */
export function encodeCursor(t: Pick<Threshold, 'priority' | 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([t.priority, t.createdAt.toISOString(), t.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = positionSchema.safeParse(parsed);
  if (!result.success) {
    throw new ValidationError([
      { field: '/cursor', message: 'is not a cursor this service issued', code: 'invalid_cursor' },
    ]);
  }
  const [priority, createdAt, id] = result.data;
  return { priority, createdAt: new Date(createdAt), id };
}
