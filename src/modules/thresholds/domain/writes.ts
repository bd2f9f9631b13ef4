import type { ThresholdFields } from './threshold';

/** Who writes, and under which request. */
export interface WriteContext {
  actor: string;
  /** The request id: the caller's `X-Request-Id` when valid, for correlation (not unique). */
  requestId?: string;
  /** The server's own, unique id of the request (the audit trail keeps both). */
  serverRequestId?: string;
  /** The change request being applied, and its approvers (recorded in the audit trail). */
  changeRequestId?: string;
  approvers?: readonly string[];
}

/** A write that happens only if the stored version is still the one the writer saw. */
export interface ConditionalWrite extends WriteContext {
  /** When set, the write happens only if the stored version equals it. */
  expectedVersion?: number;
}

/** An `Idempotency-Key` of a create, scoped to the actor, with the fingerprint of the request. */
export interface IdempotencyClaim {
  key: string;
  fingerprint: string;
}

/** A threshold to create; the store assigns an id when none is given. */
export interface NewThreshold extends ThresholdFields {
  id?: string;
}
