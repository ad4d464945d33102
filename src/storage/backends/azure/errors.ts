/**
 * Azure SDK (`RestError`) and @azure/identity errors mapped into the storage taxonomy. The only
 * place that looks at Azure error codes, HTTP statuses, socket error codes or credential errors.
 */
import type { AzureAuthKind } from './auth.js';
import { describeCredentialError, isCredentialError } from './credential-errors.js';
import {
  ConflictError,
  InvalidRangeError,
  NotFoundError,
  PermissionError,
  StorageError,
  TransientStorageError,
} from '../../errors.js';

interface RestErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

const NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up|REQUEST_SEND_ERROR|timeout/i;

function describe(e: RestErrorShape, auth: AzureAuthKind): string {
  const text = (e.message ?? '').split('\n')[0] ?? '';
  switch (e.code) {
    case 'ContainerNotFound':
      return 'the container does not exist';
    case 'BlobNotFound':
      return 'no such blob';
    case 'AuthenticationFailed':
    case 'AuthorizationFailure':
      return auth === 'shared-key'
        ? 'the storage account key was refused (check key_file)'
        : `the access token from the default Azure credentials was refused (${text})`;
    case 'AuthorizationPermissionMismatch':
      return 'the identity has no data role allowing this on the storage account (e.g. Storage Blob Data Contributor)';
  }
  if (/ECONNREFUSED/.test(text)) return 'connection refused (is the endpoint right and the store running?)';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'the endpoint host name does not resolve';
  return `${e.code ?? e.name ?? 'Error'}: ${text}${e.statusCode !== undefined ? ` (HTTP ${e.statusCode})` : ''}`;
}

/**
 * Maps `err`, raised while doing `what`, to a storage error naming the provider and the blob, in
 * one line. `auth` (default Shared Key) words authentication failures for the credential in use.
 * No token could be obtained → `PermissionError` (never retried). Storage errors and aborts pass
 * through unchanged.
 */
export function mapAzureError(provider: string, what: string, err: unknown, auth: AzureAuthKind = 'shared-key'): Error {
  if (err instanceof StorageError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const options = { cause: err };
  // Before the socket checks: a credential's message may quote ECONNREFUSED or a timeout of its
  // token endpoint, and retrying the whole operation would not make a credential appear.
  if (isCredentialError(err)) return new PermissionError(`${provider}: ${what}: ${describeCredentialError(err)}`, options);
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as RestErrorShape;
  const status = e.statusCode;
  const message = `${provider}: ${what}: ${describe(e, auth)}`;
  if (status === 404 || e.code === 'BlobNotFound' || e.code === 'ContainerNotFound') return new NotFoundError(message, options);
  if (status === 403 || status === 401) return new PermissionError(message, options);
  if (status === 416 || e.code === 'InvalidRange') return new InvalidRangeError(message, options);
  if (status === 429 || status === 408 || (status !== undefined && status >= 500)) {
    const after = Number(e.response?.headers?.get?.('retry-after'));
    return new TransientStorageError(message, { ...options, ...(Number.isFinite(after) && after >= 0 && { retryAfterMs: after * 1000 }) });
  }
  if (status !== undefined && status >= 400) return new ConflictError(message, options);
  if (NETWORK.test(`${e.code ?? ''} ${e.message ?? ''}`)) return new TransientStorageError(message, options);
  return new StorageError(message, options);
}
