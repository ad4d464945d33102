/**
 * Carries out a backup plan: computes the local hashes the plan asks for (through the hash cache,
 * `md5_check_concurrency` at once), settles it, then uploads every new or changed file with
 * `concurrent_transfers` files in flight, streamed from disk, and assembles the manifest sections.
 * Bandwidth is limited by the storage wrapper (one budget per process), not here.
 */
import { stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { ManifestObject, ManifestSection } from '../domain/manifest.js';
import {
  comparableCandidates,
  Md5NeededError,
  pendingHashChecks,
  reusedManifestObject,
  settleHashChecks,
  type FileDecision,
  type FileHashes,
  type LocalFile,
  type TablePlan,
  type TagNaming,
} from '../plan/backup-plan.js';
import { partSizeFor } from '../storage/backends/s3/options.js';
import { uploadFile } from '../storage/helpers.js';
import type { ObjectInfo, StorageBackend } from '../storage/types.js';
import type { HashCache } from '../transfer/hash-cache.js';
import { hashFile, hashSmallFileSync, SMALL_FILE_BYTES, type ContentHashes, type HashSpec } from '../transfer/hashing.js';
import type { ProgressReporter } from '../transfer/progress.js';
import { describeError } from '../util/errors.js';
import { SyncSlices } from '../util/sync-slices.js';
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

/** What to compute so a local file compares with a stored hash, and where the result is in the digests. */
interface HashForm {
  readonly spec: HashSpec;
  readonly pick: (h: ContentHashes) => string | undefined;
}

// One of each for the stores whose form does not depend on the file (most checks): no allocation per file.
const MD5_HEX: HashForm = { spec: { md5: true }, pick: (h) => h.md5Hex };
const MD5_BASE64: HashForm = { spec: { md5: true }, pick: (h) => h.md5Base64 };
const NO_HASH: HashForm = { spec: {}, pick: () => undefined };
const pickEtag = (h: ContentHashes): string | undefined => h.s3Etag;

/** What to compute so the local file compares with `storedHash` of a store of this kind, and how to read it. */
function specFor(storage: StorageBackend, size: number, storedHash: string, chunk: number): HashForm {
  switch (storage.capabilities.hashKind) {
    case 's3-etag':
      if (/-\d+$/.test(storedHash)) return { spec: { s3Etag: { partSize: partSizeFor(size, chunk), threshold: 0 } }, pick: pickEtag };
      return MD5_HEX;
    case 'md5-base64':
      return MD5_BASE64;
    case 'md5-hex':
      return MD5_HEX;
    case 'none':
      return NO_HASH;
  }
}

/** The hash forms a `check` decision is compared in: one per candidate of the same size with a hash. */
function formsOf(d: FileDecision, s: UploadSettings): Array<HashForm & { readonly key: string }> {
  return comparableCandidates(d).map((c) => {
    const form = specFor(s.storage, d.file.size, c.hash!, s.multipartChunksize);
    return { key: c.key, spec: form.spec, pick: form.pick };
  });
}

/**
 * What was learnt of a file with one comparable candidate (the common case): one object per file,
 * its own `byCandidate`, instead of a `Map` (or a second object) per file.
 */
class OneCandidate implements FileHashes {
  constructor(
    private readonly key: string,
    private readonly hash: string | undefined,
    readonly md5Hex: string | undefined,
  ) {}

  get byCandidate(): this {
    return this;
  }

  get(candidateKey: string): string | undefined {
    return candidateKey === this.key ? this.hash : undefined;
  }
}

/** One spec covering both (a single read computes every digest asked for). */
function unionSpec(a: HashSpec, b: HashSpec): HashSpec {
  return { ...(a.md5 || b.md5 ? { md5: true } : {}), ...(a.s3Etag ?? b.s3Etag ? { s3Etag: (a.s3Etag ?? b.s3Etag)! } : {}) };
}

async function hashLocal(s: UploadSettings, file: LocalFile, spec: HashSpec): Promise<ContentHashes> {
  if (!s.hashCache) return hashFile(file.path, spec);
  return (file.identity && s.hashCache.cached(file.identity, file.size, spec)) ?? s.hashCache.hashFile(file.path, spec);
}

/**
 * Runs `work` for every item, `md5_check_concurrency` (at least {@link CHECKS_IN_FLIGHT}) at once;
 * once `s.signal` aborts, no further item starts and the abort's reason is thrown.
 */
async function forEachLimited<T>(items: readonly T[], s: UploadSettings, work: (item: T) => Promise<void>): Promise<void> {
  // MD5 runs on this thread whatever the number of files in flight, so more in flight only
  // overlaps their stat calls and reads (3 MiB of buffers each). On an unchanged node nearly every
  // check is a hash-cache hit costing one stat: with 2 in flight, 20,000 files took 4 s; with 16, well under 1.
  const limit = pLimit(Math.max(CHECKS_IN_FLIGHT, s.md5CheckConcurrency));
  await Promise.all(items.map((item) => limit(() => (s.signal?.aborted ? Promise.resolve() : work(item)))));
  s.signal?.throwIfAborted();
}

/**
 * Hashes each file the plan must check, in the form of each candidate it could reuse (through the
 * hash cache: an unchanged SSTable costs one stat), then settles the plan
 * (`plan/backup-plan.ts`). A file that cannot be read is not reused (its upload then reports why).
 * The MD5 naming a tagged key is computed only for files that need one.
 */
export async function runHashChecks(plan: readonly TablePlan[], pool: Iterable<string>, naming: TagNaming, s: UploadSettings): Promise<TablePlan[]> {
  const checks = pendingHashChecks(plan);
  if (checks.length === 0) return [...plan];
  s.log.info(`Comparing ${checks.length} files with the stored objects of the same name`);
  const hashes = new Map<string, FileHashes>();
  const record = (d: FileDecision, forms: ReturnType<typeof formsOf>, computed: ContentHashes | undefined): void => {
    if (forms.length === 1) {
      hashes.set(d.key, new OneCandidate(forms[0]!.key, computed && forms[0]!.pick(computed), computed?.md5Hex || undefined));
      return;
    }
    const byCandidate = new Map<string, string | undefined>();
    for (const f of forms) byCandidate.set(f.key, computed && f.pick(computed));
    hashes.set(d.key, computed?.md5Hex ? { byCandidate, md5Hex: computed.md5Hex } : { byCandidate });
  };
  // First the files the cache answers from the snapshot listing's stat (an unchanged node: all of
  // them), without a promise each; then the others, `md5_check_concurrency` at once.
  const toHash: Array<{ d: FileDecision; forms: ReturnType<typeof formsOf>; spec: HashSpec }> = [];
  for (const d of checks) {
    const forms = formsOf(d, s);
    const spec = forms.length === 1 ? forms[0]!.spec : forms.reduce<HashSpec>((acc, f) => unionSpec(acc, f.spec), {});
    const hit = forms.length === 0 ? undefined : d.file.identity && s.hashCache?.cached(d.file.identity, d.file.size, spec);
    if (forms.length === 0 || hit) record(d, forms, hit);
    else toHash.push({ d, forms, spec });
  }
  // Small files (most of a snapshot's) synchronously, in slices: no thread-pool hop per file.
  const slices = new SyncSlices(s.signal);
  const large: typeof toHash = [];
  for (const item of toHash) {
    if (item.d.file.size > SMALL_FILE_BYTES) {
      large.push(item);
      continue;
    }
    if (slices.due()) await slices.next();
    let computed: ContentHashes | undefined;
    try {
      computed = s.hashCache ? s.hashCache.hashSmallFileSync(item.d.file.path, item.spec) : hashSmallFileSync(item.d.file.path, item.spec);
    } catch (err) {
      s.log.warning(`Cannot hash ${item.d.file.path} (${describeError(err)}); not reusing a stored copy`);
      record(item.d, item.forms, undefined);
      continue;
    }
    // Grown past the small size since the snapshot was listed: the general path.
    if (computed) record(item.d, item.forms, computed);
    else large.push(item);
  }
  await forEachLimited(large, s, async ({ d, forms, spec }) => {
    try {
      record(d, forms, await hashLocal(s, d.file, spec));
    } catch (err) {
      s.log.warning(`Cannot hash ${d.file.path} (${describeError(err)}); not reusing a stored copy`);
      record(d, forms, undefined);
    }
  });
  try {
    return settleHashChecks(plan, hashes, pool, naming);
  } catch (err) {
    if (!(err instanceof Md5NeededError)) throw err;
    const wanted = new Set(err.keys);
    await forEachLimited(checks.filter((d) => wanted.has(d.key)), s, async (d) => {
      const md5Hex = (await hashLocal(s, d.file, { md5: true })).md5Hex;
      hashes.set(d.key, { byCandidate: hashes.get(d.key)?.byCandidate ?? new Map(), ...(md5Hex ? { md5Hex } : {}) });
    });
    return settleHashChecks(plan, hashes, pool, naming);
  }
}

/**
 * Stores a file from its path (the backend's own file reader: on local storage about half the
 * system time of a stream, measured on 256 MiB files), recording its MD5 in the hash cache where
 * the store reports the plain MD5, as `uploadFile` does. Used when no progress is shown, and on a
 * store that copies files locally (`capabilities.localFileCopy`).
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
      // A local store copies in the kernel: metering a stream of the file instead cost a 2 GB
      // backup about 40% more time and CPU (bench/progress-cost.ts); its bytes count once stored.
      const info = s.progress && !s.storage.capabilities.localFileCopy
        ? await uploadFile(s.storage, d.file.path, d.key, {
            signal: abort.signal,
            onProgress: (n: number) => s.progress!.bytesMoved(n),
            ...(s.hashCache ? { hashCache: s.hashCache } : {}),
            durable: false,
          })
        : await putFile(s, d.file.path, d.key, abort.signal);
      if (s.progress && s.storage.capabilities.localFileCopy) s.progress.bytesMoved(info.size);
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
