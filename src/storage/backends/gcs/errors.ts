/**
 * @google-cloud/storage errors (`ApiError`, gaxios errors) mapped into the storage taxonomy. The only
 * place that looks at GCS statuses, reasons or socket error codes.
 */
import {
  ConflictError,
  InvalidRangeError,
  NotFoundError,
  PermissionError,
  StorageError,
  TransientStorageError,
} from '../../errors.js';

interface GcsErrorShape {
  name?: string;
  /** HTTP status (ApiError) or a socket error code (gaxios). */
  code?: number | string;
  status?: number;
  message?: string;
}

const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ENOTFOUND']);

function statusOf(e: GcsErrorShape): number | undefined {
  if (typeof e.code === 'number') return e.code;
  return typeof e.status === 'number' ? e.status : undefined;
}

/** True when a 404 is about the bucket, not the object. */
export function isMissingBucket(err: unknown): boolean {
  const e = err as GcsErrorShape | null;
  return statusOf(e ?? {}) === 404 && /bucket does not exist/i.test(e?.message ?? '');
}

function describe(e: GcsErrorShape, status: number | undefined): string {
  const text = (e.message ?? '').split('\n')[0] ?? '';
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the endpoint right and the store running?)';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'the endpoint host name does not resolve';
  if (status === 401 || status === 403) return `credentials refused: ${text} (check key_file or the application default credentials)`;
  if (status === 404 && /bucket does not exist/i.test(text)) return 'the bucket does not exist';
  return `${text}${status !== undefined ? ` (HTTP ${status})` : ''}`;
}

/**
 * Maps `err`, raised while doing `what`, to a storage error naming the provider and the object.
 * Storage errors and aborts pass through unchanged.
 */
export function mapGcsError(provider: string, what: string, err: unknown): Error {
  if (err instanceof StorageError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as GcsErrorShape;
  const status = statusOf(e);
  const message = `${provider}: ${what}: ${describe(e, status)}`;
  const options = { cause: err };
  if (status === 404) return new NotFoundError(message, options);
  if (status === 401 || status === 403) return new PermissionError(message, options);
  if (status === 416) return new InvalidRangeError(message, options);
  if (status === 429 || status === 408 || (status !== undefined && status >= 500)) return new TransientStorageError(message, options);
  if (status !== undefined && status >= 400) return new ConflictError(message, options);
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return new TransientStorageError(message, options);
  if (/socket hang up|ECONNRESET|timeout/i.test(e.message ?? '')) return new TransientStorageError(message, options);
  // Token errors of the auth library ("Could not load the default credentials") land here.
  if (/credentials|invalid_grant|unauthorized_client/i.test(e.message ?? '')) return new PermissionError(message, options);
  return new StorageError(message, options);
}
