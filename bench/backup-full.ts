/**
 * Benchmark: full backup of a ~2 GB snapshot (6 × 256 MiB, 40 × 8 MiB and 2,000 × 64 KiB files)
 * to local storage by our backup operation, against the physical limit of this machine for the
 * same work: `cp -r` of the files alongside `md5sum` of all of them spread over both cores, run at
 * the same time (bench/lib/machine-limit.ts; the target: limit/ours >= 0.8), and, as before, `cp -r`
 * followed by `md5sum` of the copies. All run warm (files read once first). Prints the figures with
 * the load average and pinning, the ratios and the backup's peak RSS (target < 250 MiB).
 *
 * Usage: node --import tsx bench/backup-full.ts [--dir DIR] [--runs 2]
 * The snapshot is generated once into DIR/data (default .cache/bench/backup-full) and reused.
 *
 * Measured 2026-12-02 12:49-12:51 UTC (Node 24.22, heavy lock, load 2.2-3.7, 2 runs each, same
 * data): with the large-file put hashing the source beside the kernel copy: limit 7.99 / 5.50 s,
 * ours 5.65 / 6.53 s (CPU 8.9-10.0 s): best-of limit/ours 0.97 (target >= 0.8 met), cp + md5sum/ours
 * 1.11, with sync 1.21, peak RSS 138 MiB. Just before, the copy hashed after it was made: limit
 * 5.77 / 8.74 s, ours 7.77 / 8.01 s: 0.74.
 * Measured 2026-12-02 10:03-10:05 UTC (Node 20.20, load 6.9-7.9, 2 runs, transfers 2): limit
 * (cp -r alongside md5sum on two balanced lists, source warm from the previous steps) 5.84 / 8.15 s,
 * cp -r + md5sum 7.41 / 9.21 s, + sync 10.51 / 7.48 s, ours 12.86 / 13.82 s; best-of ratio
 * limit/ours 0.45 (target >= 0.8 NOT met), cp + md5sum/ours 0.58, with sync 0.58; peak RSS 157-167
 * MiB. The disk's flush speed swung 2-3x within minutes (cp -r + md5sum + sync 7.5-27.4 s in this
 * session's runs), and our backup ends with a flush of the store: the like-for-like figure is the
 * synced one. Where the backup's time goes was not profiled this session (the local path is the
 * `pool` engineer's this week: the store records each object's MD5 when written).
 *
 * Our backup ends with one flush of the store (before the manifest), so the "+ sync" baseline is
 * the like-for-like one. Measured 2026-11-21 11:16 UTC, load ~2.5, 3 runs, transfers 2:
 * cp -r + md5sum 4.33 / 6.03 / 6.11 s, + sync 5.55 / 6.91 / 6.88 s, ours 5.50 / 6.11 / 5.89 s:
 * per-run ratios 0.79 / 0.99 / 1.04 (with sync 1.01 / 1.13 / 1.17); peak RSS 167-177 MiB.
 * Before large files went by kernel copy + worker-thread MD5 and data files lost their per-file
 * flush (same day, load 0.7): ours 12.51 s, ratio 0.36 (0.54 with sync).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MiB, prepareTwoGbSnapshot } from './backup-lib.js';
import { buildCheckout, runBackupChild, type BackupRun } from './lib/backup-child.js';
import { loadAndPinning, machineLimitSeconds } from './lib/machine-limit.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { dir: { type: 'string' }, runs: { type: 'string', default: '2' } } });
const dir = values.dir ?? join(root, '.cache', 'bench', 'backup-full');
const data = join(dir, 'data');
const runs = Number(values.runs);

const set = prepareTwoGbSnapshot(data);
buildCheckout(root);

/**
 * `cp -r` + `md5sum` of the copies; with `sync`, also the flush to disk our local store does
 * before it renames each object into place (it never reports a backup it has not made durable).
 */
function baseline(sync: boolean): number {
  const copy = join(dir, 'cp-copy');
  rmSync(copy, { recursive: true, force: true });
  execFileSync('sync');
  const t0 = performance.now();
  execFileSync('cp', ['-r', data, copy]);
  execFileSync('bash', ['-c', `find '${copy}' -type f -print0 | xargs -0 md5sum > /dev/null`]);
  if (sync) execFileSync('sync');
  const s = (performance.now() - t0) / 1000;
  rmSync(copy, { recursive: true, force: true });
  return s;
}

function ours(i: number): BackupRun {
  const store = join(dir, 'store');
  rmSync(store, { recursive: true, force: true });
  execFileSync('sync');
  // The built code under plain Node.js, the store behind the retry wrapper, the hash cache: as `medusa backup` runs.
  const cache = join(dir, 'hash-cache.json');
  rmSync(cache, { force: true });
  const r = runBackupChild(['--data', data, '--store', store, '--name', `full${i}`, '--mode', 'full', '--transfers', '2', '--wrapped', '--cache', cache], { built: true });
  rmSync(store, { recursive: true, force: true });
  return r;
}

const rows: Array<{ limit: number; baseline: number; synced: number; ours: number; rss: number }> = [];
for (let i = 0; i < runs; i++) {
  const conditions = loadAndPinning();
  const limit = machineLimitSeconds(data, join(dir, 'cp-copy'));
  const b = baseline(false);
  const bs = baseline(true);
  const o = ours(i);
  if (o.uploaded !== set.files) throw new Error(`uploaded ${o.uploaded} files, expected ${set.files}`);
  rows.push({ limit, baseline: b, synced: bs, ours: o.processSeconds, rss: o.maxRssMiB });
  console.log(`run ${i + 1} (${conditions}): limit (cp -r alongside md5sum -P2) ${limit.toFixed(2)} s | cp -r + md5sum ${b.toFixed(2)} s | cp -r + md5sum + sync ${bs.toFixed(2)} s | medusa-ts backup ${o.processSeconds.toFixed(2)} s (${(set.bytes / MiB / o.processSeconds).toFixed(0)} MiB/s, cpu ${o.cpuSeconds.toFixed(2)} s) | ratios limit/ours ${(limit / o.processSeconds).toFixed(2)}, ${(b / o.processSeconds).toFixed(2)} / ${(bs / o.processSeconds).toFixed(2)} | peak RSS ${o.maxRssMiB.toFixed(0)} MiB`);
}
const best = (xs: number[]): number => Math.min(...xs);
const l = best(rows.map((r) => r.limit));
const b = best(rows.map((r) => r.baseline));
const bs = best(rows.map((r) => r.synced));
const o = best(rows.map((r) => r.ours));
console.log(`best of ${runs}: limit ${l.toFixed(2)} s, cp+md5sum ${b.toFixed(2)} s, cp+md5sum+sync ${bs.toFixed(2)} s, ours ${o.toFixed(2)} s; ratio limit/ours ${(l / o).toFixed(2)} (target >= 0.8), cp+md5sum/ours ${(b / o).toFixed(2)}, with sync ${(bs / o).toFixed(2)}; peak RSS max ${Math.max(...rows.map((r) => r.rss)).toFixed(0)} MiB (target < 250); ${loadAndPinning()}`);
