import { ValidationError, type Violation } from '@app/modules/thresholds/domain/errors';
import type { ImportCandidate } from '@app/modules/thresholds/domain/import-plan';
import { check } from '@app/modules/thresholds/domain/threshold.rules';
import { fromImportItem } from '@app/modules/thresholds/http/threshold.mapper';
import { importItemSchema, MAX_IMPORT_ITEMS } from '@app/modules/thresholds/http/threshold.schemas';

/** At most this many violations are listed, so a broken file does not produce a huge answer. */
const MAX_LISTED_VIOLATIONS = 100;

/**
 * Reads an import body, the export array or `{thresholds: [...]}`, and validates every item.
 * Any invalid item rejects the whole import; each error names its item, e.g. `/thresholds/3/name`.
 */
export function parseImportBody(body: unknown): ImportCandidate[] {
  let items: unknown[];
  let prefix: string;
  if (Array.isArray(body)) {
    items = body;
    prefix = '';
  } else if (isObject(body) && Object.keys(body).length === 1 && Array.isArray(body.thresholds)) {
    items = body.thresholds;
    prefix = '/thresholds';
  } else {
    throw new ValidationError(
      [{ field: '/', message: 'must be an array of thresholds or {"thresholds": [...]}', code: 'invalid_type' }],
      'The import body is invalid.',
    );
  }
  if (items.length > MAX_IMPORT_ITEMS) {
    throw new ValidationError([
      { field: prefix || '/', message: `must hold at most ${MAX_IMPORT_ITEMS} items`, code: 'too_long' },
    ]);
  }

  const candidates: ImportCandidate[] = [];
  const violations: Violation[] = [];
  items.forEach((item, index) => {
    const pointer = `${prefix}/${index}`;
    const result = check(importItemSchema, item, pointer);
    if (result.ok) candidates.push({ pointer, ...fromImportItem(result.value) });
    else violations.push(...result.violations);
  });
  if (violations.length > 0) {
    const invalidItems = new Set(
      violations.map((v) =>
        v.field
          .split('/')
          .slice(0, prefix ? 3 : 2)
          .join('/'),
      ),
    );
    throw new ValidationError(
      violations.slice(0, MAX_LISTED_VIOLATIONS),
      `${invalidItems.size} of ${items.length} items are invalid (${[...invalidItems].slice(0, 10).join(', ')}); nothing was imported.`,
    );
  }
  return candidates;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
