import { createHash } from 'node:crypto';
import { BadRequestError } from '@app/modules/thresholds/domain/errors';
import { canonicalJson } from '@app/modules/thresholds/domain/threshold';
import type { IdempotencyClaim } from '@app/modules/thresholds/domain/writes';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The claim of an `Idempotency-Key` header: the key, and a fingerprint of the (validated) request body. */
export function idempotencyClaim(key: string, body: unknown): IdempotencyClaim {
  if (!KEY.test(key)) {
    throw new BadRequestError('Idempotency-Key must be 1-255 visible ASCII characters (a UUID is a good choice).');
  }
  return { key, fingerprint: createHash('sha256').update(canonicalJson(body)).digest('hex') };
}
