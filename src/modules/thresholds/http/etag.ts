import { BadRequestError } from '@app/modules/thresholds/domain/errors';

/** The strong ETag of a threshold version: `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header requires: undefined when absent or `*` (any current version).
 * A weak tag (`W/"3"`) is tolerated. Several tags or a malformed one are a `400`.
 */
export function expectedVersion(ifMatch: string | string[] | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const value = (Array.isArray(ifMatch) ? ifMatch.join(',') : ifMatch).trim();
  if (value === '*') return undefined;
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(value);
  if (!match) {
    throw new BadRequestError(
      'If-Match must be one entity tag of a threshold version, e.g. "3" (as sent in ETag), or *.',
    );
  }
  return Number(match[1]);
}
