/**
 * `verify`: checks that every object a backup's manifests name is in the store with the recorded
 * size, and with `--enable-md5-checks` the recorded hash. Where the store lists no hash (local
 * storage) the stored bytes are hashed, so a same-size corruption is caught (Medusa misses it).
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { CatalogContext } from '../catalog/catalog.js';
import { detailClusterBackup, type DetailedClusterBackup } from '../catalog/details.js';
import type { NodeBackup } from '../domain/backups.js';
import type { Manifest } from '../domain/manifest.js';
import { dataFolder } from '../layout/keys.js';
import { planVerify, type StoredObject, type VerifyProblem } from '../plan/verify-plan.js';
import { findClusterBackup } from './find-backup.js';

const HASH_CONCURRENCY = 2;

export interface VerifyReport {
  readonly detailed: DetailedClusterBackup;
  /** Empty when the backup is incomplete (the object check does not run then). */
  readonly problems: readonly VerifyProblem[];
}

async function md5OfObject(ctx: CatalogContext, key: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of await ctx.storage.get(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function storedObjects(
  ctx: CatalogContext,
  nb: NodeBackup,
  manifest: Manifest,
  checkHashes: boolean,
): Promise<Map<string, StoredObject>> {
  const stored = new Map<string, StoredObject>();
  const folder = dataFolder(ctx.layout, nb.fqdn, nb.name, nb.differential);
  for await (const info of ctx.storage.list(folder)) stored.set(info.key, { size: info.size, ...(info.hash !== undefined ? { hash: info.hash } : {}) });
  if (checkHashes && !ctx.storage.capabilities.listingHasHash) {
    const limit = pLimit(HASH_CONCURRENCY);
    const wanted = manifest.flatMap((s) => s.objects).filter((o) => o.MD5 !== null && stored.get(o.path)?.size === o.size);
    await Promise.all(
      wanted.map((o) =>
        limit(async () => {
          stored.set(o.path, { size: o.size, hash: await md5OfObject(ctx, o.path) });
        }),
      ),
    );
  }
  return stored;
}

/** Verifies the named backup. Throws `BackupNotFoundError` when it does not exist. */
export async function verifyBackup(ctx: CatalogContext, name: string, checkHashes: boolean): Promise<VerifyReport> {
  const detailed = await detailClusterBackup(ctx, await findClusterBackup(ctx, name));
  if (!detailed.backup.complete) return { detailed, problems: [] };
  const problems: VerifyProblem[] = [];
  for (const node of detailed.nodes) {
    if (!node.manifest) continue;
    const stored = await storedObjects(ctx, node.nodeBackup, node.manifest, checkHashes);
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
