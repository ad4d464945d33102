/**
 * `verify`: checks that every object a backup's manifests name is in the store with the recorded
 * size, and with `--enable-md5-checks` the recorded hash. Where the store's listing hash is not
 * computed from the bytes it holds (local storage) the stored bytes are hashed, so a same-size
 * corruption or an overwrite by another writer is caught (Medusa misses both).
 *
 * `verifyAll` checks every backup of the bucket in one run (what a differential's overwrite, ours
 * before issue 13 or Python Medusa's, may have broken in older backups): each data folder is listed
 * once and each stored object hashed at most once, however many backups name it.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { listClusterBackups, type CatalogContext } from '../catalog/catalog.js';
import { detailClusterBackup, type DetailedClusterBackup } from '../catalog/details.js';
import type { NodeBackup } from '../domain/backups.js';
import type { Manifest } from '../domain/manifest.js';
import { dataFolder } from '../layout/keys.js';
import { planVerify, type StoredObject, type VerifyProblem } from '../plan/verify-plan.js';
import { noopProgress, type ProgressReporter } from '../transfer/progress.js';
import { findClusterBackup } from './find-backup.js';

const HASH_CONCURRENCY = 2;

export interface VerifyReport {
  readonly detailed: DetailedClusterBackup;
  /** Empty when the backup is incomplete (the object check does not run then). */
  readonly problems: readonly VerifyProblem[];
}

/** Listings and stored-byte hashes shared by the backups of one run. */
class StoredView {
  private readonly listings = new Map<string, Promise<Map<string, StoredObject>>>();
  private readonly hashes = new Map<string, Promise<string>>();
  private readonly limit = pLimit(HASH_CONCURRENCY);

  constructor(private readonly ctx: CatalogContext) {}

  /** Every object under `folder`, listed once per run. */
  listing(folder: string): Promise<Map<string, StoredObject>> {
    let found = this.listings.get(folder);
    if (!found) {
      found = (async () => {
        const stored = new Map<string, StoredObject>();
        for await (const info of this.ctx.storage.list(folder)) stored.set(info.key, { size: info.size, ...(info.hash !== undefined ? { hash: info.hash } : {}) });
        return stored;
      })();
      this.listings.set(folder, found);
    }
    return found;
  }

  /** The hex MD5 of the stored bytes of `key`, read once per run; `onBytes` sees the bytes read, if this call reads them. */
  md5OfBytes(key: string, onBytes?: (n: number) => void): Promise<string> {
    let found = this.hashes.get(key);
    if (!found) {
      found = this.limit(async () => {
        const hash = createHash('md5');
        for await (const chunk of await this.ctx.storage.get(key)) {
          hash.update(chunk as Buffer);
          onBytes?.((chunk as Buffer).length);
        }
        return hash.digest('hex');
      });
      this.hashes.set(key, found);
    }
    return found;
  }
}

async function storedObjects(ctx: CatalogContext, view: StoredView, nb: NodeBackup, manifest: Manifest, checkHashes: boolean, progress: ProgressReporter): Promise<Map<string, StoredObject>> {
  const listed = await view.listing(dataFolder(ctx.layout, nb.fqdn, nb.name, nb.differential));
  if (!checkHashes || ctx.storage.capabilities.listingHasHash) return listed;
  // A listing hash not computed from the bytes (local records) says nothing about what the file
  // holds now: the bytes themselves are hashed.
  const stored = new Map(listed);
  const wanted = manifest.flatMap((s) => s.objects).filter((o) => o.MD5 !== null && listed.get(o.path)?.size === o.size);
  progress.begin({ direction: 'hash', files: wanted.length, bytes: wanted.reduce((n, o) => n + o.size, 0) });
  try {
    await Promise.all(
      wanted.map(async (o) => {
        progress.transferStarted(o.path, o.size);
        let read = 0;
        let ok = false;
        try {
          const hash = await view.md5OfBytes(o.path, (n) => {
            read += n;
            progress.bytesMoved(n);
          });
          // An object another backup of this run already hashed counts at once.
          if (read < o.size) progress.bytesMoved(o.size - read);
          stored.set(o.path, { size: o.size, hash });
          ok = true;
        } finally {
          progress.transferFinished(o.path, ok);
        }
      }),
    );
  } finally {
    progress.end();
  }
  return stored;
}

async function verifyDetailed(ctx: CatalogContext, view: StoredView, detailed: DetailedClusterBackup, checkHashes: boolean, progress: ProgressReporter): Promise<VerifyReport> {
  if (!detailed.backup.complete) return { detailed, problems: [] };
  const problems: VerifyProblem[] = [];
  for (const node of detailed.nodes) {
    if (!node.manifest) continue;
    const stored = await storedObjects(ctx, view, node.nodeBackup, node.manifest, checkHashes, progress);
    const result = planVerify(node.manifest, stored, { differential: node.nodeBackup.differential, checkHashes });
    for (const path of result.summaryMismatches) {
      ctx.log.warning(
        `Blob [${path}] mismatches manifest. It's a Summary.db file which might be re-written once Cassandra rebuilds index summaries. ` +
          'Therefore we are not causing this mismatch to fail the verification. Cassandra will (re-)write this file during bootstrap if needed. ',
      );
    }
    for (const p of result.problems) {
      if (p.kind === 'different') ctx.log.error(`Object ${p.path} differs from the manifest: ${p.reason}`);
    }
    problems.push(...result.problems);
  }
  return { detailed, problems };
}

/**
 * Verifies the named backup. Throws `BackupNotFoundError` when it does not exist. `progress` sees
 * one `hash` batch per node whose stored bytes are read (local storage with md5 checks).
 */
export async function verifyBackup(ctx: CatalogContext, name: string, checkHashes: boolean, progress: ProgressReporter = noopProgress): Promise<VerifyReport> {
  const detailed = await detailClusterBackup(ctx, await findClusterBackup(ctx, name));
  return verifyDetailed(ctx, new StoredView(ctx), detailed, checkHashes, progress);
}

/**
 * Verifies every backup of the bucket, oldest first; `onReport` gets each report as soon as it is
 * made (a large bucket takes a while). Returns them all.
 */
export async function verifyAll(ctx: CatalogContext, checkHashes: boolean, onReport?: (r: VerifyReport) => void, progress: ProgressReporter = noopProgress): Promise<VerifyReport[]> {
  const view = new StoredView(ctx);
  const reports: VerifyReport[] = [];
  for (const backup of await listClusterBackups(ctx)) {
    const report = await verifyDetailed(ctx, view, await detailClusterBackup(ctx, backup), checkHashes, progress);
    onReport?.(report);
    reports.push(report);
  }
  return reports;
}
