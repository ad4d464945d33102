/**
 * The large local bucket of the listing benchmarks (bench/list-backups.ts, bench/scale.ts): the
 * shared generator (test/support/big-bucket.ts: `backups` differential backups of `nodes` nodes,
 * laid out as Medusa lays them out), plus a `medusa.ini` for it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBigBucket } from '../../test/support/big-bucket.js';

/** The bucket's name inside `dir` (local storage: `base_path = dir`). */
export const LIST_BUCKET = 'bench';

/** Generates the bucket unless it is there already; returns the path of its medusa.ini. */
export function ensureListBucket(dir: string, backups: number, nodes: number): string {
  const { hosts } = ensureBigBucket(dir, backups, nodes, LIST_BUCKET);
  const ini = join(dir, 'medusa.ini');
  writeFileSync(ini, `[storage]\nstorage_provider = local\nbase_path = ${dir}\nbucket_name = ${LIST_BUCKET}\nfqdn = ${hosts[0]}\n`);
  return ini;
}
