/**
 * Carries out a backup plan: computes the local hashes the plan asks for (through the hash cache,
 * `md5_check_concurrency` at once), then uploads every new or changed file with
 * `concurrent_transfers` files in flight, streamed from disk, and assembles the manifest sections.
 * Bandwidth is limited by the storage wrapper (one budget per process), not here.
 */
import { stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { ManifestObject, ManifestSection } from '../domain/manifest.js';
import {
  pendingHashChecks,
  reusedManifestObject,
  settleHashChecks,
  type FileDecision,
  type TablePlan,
} from '../plan/backup-plan.js';
import { partSizeFor } from '../storage/backends/s3/options.js';
import { uploadFile } from '../storage/helpers.js';
import type { ObjectInfo, StorageBackend } from '../storage/types.js';
import type { HashCache } from '../transfer/hash-cache.js';
import { hashFile, type ContentHashes, type HashSpec } from '../transfer/hashing.js';
import type { ProgressReporter } from '../transfer/progress.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** Files whose hash is looked up or computed at once (at least; `md5_check_concurrency` if higher). */
const CHECKS_IN_FLIGHT = 16;

export interface UploadSettings {
  readonly storage: StorageBackend;
  readonly log: Logger;
  readonly concurrentTransfers: number;
  readonly md5CheckConcurrency: number;
  /** `[storage] multipart_chunksize`: the part size an S3 multipart ETag is predicted with. */
  readonly multipartChunksize: number;
  readonly hashCache?: HashCache;
  /** Told about the upload batch; none: uploads take the faster unmetered path. */
  readonly progress?: ProgressReporter;
  /** Stops hashing and uploading; the run then rejects (with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** What to compute so the local file compares with `storedHash` of a store of this kind. */
function specFor(storage: StorageBackend, size: number, storedHash: string, chunk: number): { spec: HashSpec; pick: (h: ContentHashes) => string | undefined } {
  switch (storage.capabilities.hashKind) {
    case 's3-etag':
      if (/-\d+$/.test(storedHash)) {
        return { spec: { s3Etag: { partSize: partSizeFor(size, chunk), threshold: 0 } }, pick: (h) => h.s3Etag };
      }
      return { spec: { md5: true }, pick: (h) => h.md5Hex };
    case 'md5-base64':
      return { spec: { md5: true }, pick: (h) => h.md5Base64 };
    case 'md5-hex':
      return { spec: { md5: true }, pick: (h) => h.md5Hex };
    case 'none':
      return { spec: {}, pick: () => undefined };
  }
}

/** Resolves the plan's `check`s by hashing local files (cached by device/inode/size/mtime). */
export async function runHashChecks(plan: readonly TablePlan[], s: UploadSettings): Promise<TablePlan[]> {
  const checks = pendingHashChecks(plan);
  if (checks.length === 0) return [...plan];
  s.log.info(`Comparing ${checks.length} files with their stored hash`);
  // MD5 runs on this thread whatever the number of files in flight, so more in flight only
  // overlaps their stat calls and reads (3 MiB of buffers each). On an unchanged node nearly every
  // check is a hash-cache hit costing one stat: with 2 in flight, 20,000 files took 4 s; with 16, well under 1.
  const limit = pLimit(Math.max(CHECKS_IN_FLIGHT, s.md5CheckConcurrency));
  const hashes = new Map<string, string | undefined>();
  await Promise.all(
    checks.map((d) =>
      limit(async () => {
        if (s.signal?.aborted) return;
        const { spec, pick } = specFor(s.storage, d.file.size, d.stored!.hash!, s.multipartChunksize);
        try {
          const computed = s.hashCache ? await s.hashCache.hashFile(d.file.path, spec) : await hashFile(d.file.path, spec);
          hashes.set(d.key, pick(computed));
        } catch (err) {
          s.log.warning(`Cannot hash ${d.file.path} (${describeError(err)}); uploading it again`);
          hashes.set(d.key, undefined);
        }
      }),
    ),
  );
  s.signal?.throwIfAborted();
  return settleHashChecks(plan, hashes);
}

/**
 * Stores a file from its path (the backend's own file reader: on local storage about half the
 * system time of a stream, measured on 256 MiB files), recording its MD5 in the hash cache where
 * the store reports the plain MD5, as `uploadFile` does. Used when no progress is shown.
 */
async function putFile(s: UploadSettings, path: string, key: string, signal: AbortSignal): Promise<ObjectInfo> {
  const before = s.hashCache ? await stat(path, { bigint: true }) : undefined;
  const info = await s.storage.put(key, { kind: 'file', path }, { signal, durable: false });
  if (before && s.hashCache && s.storage.capabilities.hashKind === 'md5-hex' && info.hash && BigInt(info.size) === before.size) {
    s.hashCache.recordMd5(before, await stat(path, { bigint: true }), info.hash);
  }
  return info;
}

/**
 * Uploads every `upload`/`reupload` decision and returns the manifest sections, in plan order,
 * objects in file order: uploaded ones with the size and hash the store reported, reused ones as
 * listed. The first failed upload aborts the others and rejects. Objects are put with
 * `durable: false`: the caller flushes the store (`flushStore`) before writing the manifest.
 */
export async function runUploads(plan: readonly TablePlan[], s: UploadSettings): Promise<ManifestSection[]> {
  const limit = pLimit(Math.max(1, s.concurrentTransfers));
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(s.signal?.reason);
  s.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const toUpload = plan.flatMap((t) => t.files.filter((f) => f.action === 'upload' || f.action === 'reupload'));
  s.progress?.begin({ direction: 'upload', files: toUpload.length, bytes: toUpload.reduce((n, f) => n + f.file.size, 0) });
  const uploaded = new Map<string, ManifestObject>();
  const one = async (d: FileDecision): Promise<void> => {
    if (abort.signal.aborted) return;
    s.progress?.transferStarted(d.key, d.file.size);
    let ok = false;
    try {
      const info = s.progress
        ? await uploadFile(s.storage, d.file.path, d.key, {
            signal: abort.signal,
            onProgress: (n: number) => s.progress!.bytesMoved(n),
            ...(s.hashCache ? { hashCache: s.hashCache } : {}),
            durable: false,
          })
        : await putFile(s, d.file.path, d.key, abort.signal);
      uploaded.set(d.key, { path: info.key, MD5: info.hash ?? null, size: info.size });
      ok = true;
    } finally {
      s.progress?.transferFinished(d.key, ok);
    }
  };
  try {
    await Promise.all(
      toUpload.map((d) =>
        limit(() =>
          one(d).catch((err: unknown) => {
            if (!abort.signal.aborted) abort.abort(err);
            throw err;
          }),
        ),
      ),
    );
  } catch {
    // Report the first failure, not an abort it caused in a sibling.
    throw abort.signal.reason instanceof Error ? abort.signal.reason : new Error(String(abort.signal.reason));
  } finally {
    s.signal?.removeEventListener('abort', onOuterAbort);
    s.progress?.end();
  }
  // Uploads not yet begun when the signal came were skipped without failing: never a manifest then.
  if (abort.signal.aborted) throw abort.signal.reason instanceof Error ? abort.signal.reason : new Error(String(abort.signal.reason));
  return plan.map((t) => ({
    keyspace: t.keyspace,
    columnfamily: t.tableDir,
    objects: t.files.map((f) => (f.action === 'reuse' ? reusedManifestObject(f.stored!) : uploaded.get(f.key)!)),
  }));
}
