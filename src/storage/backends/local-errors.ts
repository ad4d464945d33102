/**
 * File-system errors of the local backend, mapped into the storage taxonomy so callers (and the
 * retry wrapper) never look at errno strings.
 */
import {
  ConflictError,
  NotFoundError,
  PermissionError,
  StorageError,
  TransientStorageError,
} from '../errors.js';

const PERMISSION = new Set(['EACCES', 'EPERM', 'EROFS']);
const CONFLICT = new Set(['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY', 'ENAMETOOLONG', 'ELOOP']);
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT']);

/** The errno code of a Node file-system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps `err`, raised while doing `what` (e.g. `put index/x.json`), to a storage error whose message
 * names the provider and the object. Storage errors and aborts pass through unchanged.
 */
export function mapLocalError(provider: string, what: string, err: unknown): Error {
  if (err instanceof StorageError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const code = errnoCode(err);
  const reason = err instanceof Error ? err.message : String(err);
  const message = `${provider}: ${what}: ${reason}`;
  if (code === 'ENOENT') return new NotFoundError(message, { cause: err });
  if (code && PERMISSION.has(code)) return new PermissionError(message, { cause: err });
  if (code && CONFLICT.has(code)) return new ConflictError(message, { cause: err });
  if (code && TRANSIENT.has(code)) return new TransientStorageError(message, { cause: err });
  // ENOSPC, EIO and anything unknown: permanent, retrying the same write will not help.
  return new StorageError(message, { cause: err });
}
