/**
 * AWS SDK v3 errors of the S3 family mapped into the storage taxonomy. The only place that looks
 * at S3 error codes, HTTP statuses or socket error codes.
 */
import {
  ConflictError,
  InvalidRangeError,
  NotFoundError,
  PermissionError,
  StorageError,
  TransientStorageError,
} from '../../errors.js';

/** Fields an SDK service or network error may carry. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);
const PERMISSION = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AllAccessDisabled',
  'CredentialsProviderError',
]);
const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable']);
/** Socket-level failures: the request may not have reached the store, or the answer was cut. */
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'TimeoutError', 'RequestTimeout',
  // undici's, as a body that breaks while it streams reports them (undici-handler.ts maps the rest).
  'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/;

/** Human text of the common cases, so an operator reads the cause, not an SDK class name. */
function describe(e: SdkErrorShape, status: number | undefined): string {
  const name = e.name ?? e.code ?? 'Error';
  switch (name) {
    case 'NoSuchBucket':
      return 'the bucket does not exist';
    case 'NoSuchKey':
      return 'no such object';
    case 'InvalidAccessKeyId':
      return 'the access key is not known to the store (check key_file / credentials)';
    case 'SignatureDoesNotMatch':
      return 'the secret key is wrong (request signature refused; check key_file / credentials)';
    case 'CredentialsProviderError':
      return `no credentials found (${e.message ?? ''}): set key_file or configure the AWS default credential chain`;
  }
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the endpoint right and the store running?)';
  if (e.code === 'UND_ERR_BODY_TIMEOUT') return `read timed out: the store stopped sending (${e.message ?? ''})`;
  if (e.code === 'UND_ERR_SOCKET' || e.code === 'UND_ERR_CLOSED') return `the connection broke while reading (${e.message ?? ''})`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'the endpoint host name does not resolve';
  if (e.code !== undefined && TLS.test(e.code)) return `TLS certificate refused (${e.code}); set ssl_verify = False for a self-signed certificate`;
  if (status === 404) return 'not found (HTTP 404)';
  if (status === 403 && (e.message === undefined || e.message === 'UnknownError')) return 'access denied (HTTP 403)';
  const text = e.message && e.message !== 'UnknownError' ? e.message : `HTTP ${status ?? '?'}`;
  return `${name}: ${text}${status !== undefined ? ` (HTTP ${status})` : ''}`;
}

/**
 * Maps `err`, raised while doing `what` (e.g. `get s3://bucket/key`), to a storage error naming the
 * provider and the object. Storage errors and aborts pass through unchanged.
 */
export function mapS3Error(provider: string, what: string, err: unknown): Error {
  if (err instanceof StorageError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  const message = `${provider}: ${what}: ${describe(e, status)}`;
  const options = { cause: err };
  if (NOT_FOUND.has(name) || status === 404) return new NotFoundError(message, options);
  if (PERMISSION.has(name) || status === 403 || status === 401) return new PermissionError(message, options);
  if (name === 'InvalidRange' || status === 416) return new InvalidRangeError(message, options);
  if (THROTTLING.has(name) || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientStorageError(message, { ...options, ...retryAfter(e) });
  }
  if ((e.code !== undefined && NETWORK.has(e.code)) || NETWORK.has(name)) return new TransientStorageError(message, options);
  if (status !== undefined && status >= 400) return new ConflictError(message, options);
  // No status and no known socket code: a TLS refusal, a malformed answer or a bug. Retrying the
  // same request will not change it.
  return new StorageError(message, options);
}

function retryAfter(e: SdkErrorShape): { retryAfterMs?: number } {
  const header = e.$response?.headers?.['retry-after'];
  const seconds = header === undefined ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: seconds * 1000 } : {};
}
