/**
 * The storage error taxonomy. Each backend maps its SDK's errors into these classes (in its own
 * `errors.ts`), so retry logic asks one question, `isRetryable`, and never matches strings.
 */
import { MedusaError, ExitCode } from '../util/errors.js';

/** Base class of every storage failure; the message names the provider and the key or bucket. */
export class StorageError extends MedusaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failed, options);
  }
}

/** The object (or bucket) does not exist. Permanent. */
export class NotFoundError extends StorageError {}

/** Credentials refused or missing permission. Permanent. */
export class PermissionError extends StorageError {}

/** A range read outside the object. Permanent. */
export class InvalidRangeError extends StorageError {}

/** The store refused the request for a reason retrying will not change (bad request, conflict). */
export class ConflictError extends StorageError {}

/** A failure worth retrying: 5xx, throttling, connection reset, timeout. */
export class TransientStorageError extends StorageError {
  /** Server-suggested wait before the next attempt, in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The only question retry logic asks of an error. */
export function isRetryable(err: unknown): boolean {
  return err instanceof TransientStorageError;
}
