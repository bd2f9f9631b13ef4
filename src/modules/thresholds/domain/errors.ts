/** Domain errors. Services throw these; one HTTP filter turns them into problem+json. */

/** One invalid input field. `field` is a JSON-pointer-like path, e.g. `/risk_levels/high` or `/items/3/score`. */
export interface Violation {
  field: string;
  message: string;
  code: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind:
    'validation' | 'bad_request' | 'forbidden' | 'not_found' | 'conflict' | 'precondition_failed' | 'unavailable';
  /** A problem code more specific than the kind's (e.g. SELF_REVIEW for a forbidden review). */
  readonly problemCode?: string;
}

/** Input that breaks a rule of the resource; lists every invalid field. */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(
    readonly violations: readonly Violation[],
    message = 'The request is invalid.',
  ) {
    super(message);
  }
}

/** A malformed request that is not about a resource field (a bad cursor, a malformed header). */
export class BadRequestError extends DomainError {
  readonly kind = 'bad_request';
}

/** The caller may not do this, whatever their role (e.g. review their own change). */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} was not found.`);
  }
}

/** The write would break a uniqueness rule (duplicate id, second active default). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly violations: readonly Violation[] = [],
  ) {
    super(message);
  }
}

/** A direct write while changes need approvals (CHANGE_APPROVALS >= 1): `409 APPROVAL_REQUIRED`. */
export class ApprovalRequiredError extends ConflictError {
  override readonly problemCode = 'APPROVAL_REQUIRED';
  constructor(approvals: number) {
    super(
      `Threshold changes need ${approvals} approval(s) here (CHANGE_APPROVALS=${approvals}), so they are not written directly: ` +
        'propose the change with POST /v1/admin/risk/change-requests (an import: add ?as_change_request=true), ' +
        'submit it, and have someone else approve it.',
    );
  }
}

/** The caller's `If-Match` no longer matches the stored version. */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition_failed';
  constructor(
    readonly id: string,
    readonly currentVersion: number,
  ) {
    super(`Threshold ${id} is at version ${currentVersion}, which does not match If-Match.`);
  }
}

/** The store cannot take the request now (database down); the caller should retry after `retryAfterSeconds`. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
  constructor(
    message = 'The threshold store is unavailable; nothing was written. Retry later.',
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** Prefixes every violation's path, e.g. to place an item's errors under `/thresholds/3`. */
export function prefixViolations(prefix: string, violations: readonly Violation[]): Violation[] {
  return violations.map((v) => ({ ...v, field: `${prefix}${v.field}` }));
}
