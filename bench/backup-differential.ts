/**
 * Benchmark: differential re-backup of an unchanged node holding 20,000 SSTable files (2,500
 * tables × 8 components, 1-16 KiB each) to local storage. Each backup is a separate process
 * running our backup operation (bench/backup-run.ts; no Cassandra, the snapshot is a prepared
 * folder), with the hash cache as the CLI uses it (always since issue 13: a differential compares
 * every same-name same-size file by hash before reusing a stored object), on the built code under
 * plain Node.js and the store behind the retry wrapper, as `medusa backup` runs (`--source`: the
 * TypeScript sources under tsx instead, and each checkout's own bench/backup-run.ts).
 *  1. the first differential (uploads everything; fills the pool and the hash cache);
 *  2. unchanged re-backups, warm hash cache (target < 5 s), `--runs` times;
 *  3. one unchanged re-backup with a cold hash cache (every file hashed once).
 * With `--baseline DIR` (another checkout with its node_modules, e.g. a worktree of the commit
 * before issue 13's merge), the same re-backup by that checkout's code on its own store, as its
 * CLI ran it (before issue 13: no hash cache without --enable-md5-checks), alternating with ours
 * (which goes first alternates too): the A/B ratios ours / baseline of the medians of the whole
 * process's wall time and CPU (target <= 1). Both checkouts are built first (`npmw run build`).
 *
 * Usage: node --import tsx bench/backup-differential.ts [--dir DIR] [--files 20000] [--runs 5] [--baseline DIR] [--source]
 *
 * Measured 2026-12-02 09:32 UTC (Node 20, load 8-9 on 2 cores, others' jobs running), --baseline
 * main (0ba606c + 0.31 env), 3 runs, sources under tsx, in-process seconds, before the cache fast
 * path: ours 3.49 / 3.77 / 4.17 s, main 2.18 / 1.82 / 2.54 s: A/B 1.73 (medians). Cold hash cache
 * (every file hashed once): 14.4 s. The gap came from rewriting the 2.5 MB hash cache with an fsync
 * on every run, one await per file for cache hits, and reading each folder's stored-MD5 log after
 * the folder's listing instead of with it.
 *
 * Measured 2026-12-02 12:32 UTC (Node 24.22, built code, heavy lock, load 8.6-11.7), --baseline a
 * worktree of 17cf43e (main before issue 13's merge), 3 runs: unchanged, warm cache: ours 1.80 /
 * 1.75 / 3.41 s (CPU 1.29 / 1.15 / 1.32 s), baseline 2.98 / 3.00 / 2.54 s (CPU 1.86 / 1.98 / 1.76 s):
 * A/B wall 0.60, CPU 0.69 (medians; target <= 1 met). Cold hash cache: 3.83 s, CPU 2.49 s (15.18 s,
 * CPU 10.76 s an hour earlier, before files up to 1 MiB were hashed synchronously).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSnapshot } from './backup-lib.js';
import { buildCheckout, runBackupChild, type BackupRun } from './lib/backup-child.js';
import { loadAndPinning } from './lib/machine-limit.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    dir: { type: 'string' }, files: { type: 'string', default: '20000' }, runs: { type: 'string', default: '5' },
    baseline: { type: 'string' }, source: { type: 'boolean', default: false },
  },
});
const files = Number(values.files);
const runs = Number(values.runs);
const built = !values.source;
const dir = values.dir ?? join(root, '.cache', 'bench', `backup-diff-${files}`);
const data = join(dir, 'data');
const components = ['Data.db', 'Index.db', 'Filter.db', 'Summary.db', 'Statistics.db', 'CompressionInfo.db', 'Digest.crc32', 'TOC.txt'];

process.stderr.write(`preparing ${files} files in ${data} (once)...\n`);
const per = Math.ceil(files / components.length);
writeSnapshot(data, components.map((component, i) => ({ count: per, size: 1024 * (1 + ((i * 5) % 16)), component })), Math.ceil(files / 8));
if (built) for (const checkout of values.baseline ? [root, values.baseline] : [root]) buildCheckout(checkout);

const ours = join(dir, 'store-ours');
const base = join(dir, 'store-baseline');
const cache = join(dir, 'hash-cache.json');
for (const p of [ours, base, cache, join(dir, '.medusa-ts')]) rmSync(p, { recursive: true, force: true });

function backup(checkout: string, store: string, name: string, extra: string[] = []): BackupRun {
  const args = ['--data', data, '--store', store, '--name', name, '--mode', 'differential', ...(built ? ['--wrapped'] : []), ...extra];
  return runBackupChild(args, { checkout, built });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const show = (label: string, r: BackupRun): void =>
  console.log(
    `${label.padEnd(50)} ${r.processSeconds.toFixed(2).padStart(6)} s (in-process ${r.seconds.toFixed(2)} s), cpu ${r.cpuSeconds.toFixed(2)} s, ` +
      `uploaded ${r.uploaded}, kept ${r.kept}, hashed ${r.hashMisses}, cache hits ${r.hashHits}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB  (${loadAndPinning()})`,
  );

console.log(`code: ${built ? 'built dist under plain Node.js, store behind the retry wrapper' : 'sources under tsx, bare store'}; ${process.version}`);
show('1. first differential (ours)', backup(root, ours, 'd1', ['--cache', cache]));
if (values.baseline) show('1. first differential (baseline)', backup(values.baseline, base, 'd1'));
const mine: BackupRun[] = [];
const theirs: BackupRun[] = [];
for (let i = 0; i < runs; i++) {
  const runOurs = (): void => {
    const r = backup(root, ours, `u${i}`, ['--cache', cache]);
    show(`2. unchanged, warm hash cache (ours, run ${i + 1})`, r);
    if (r.kept !== per * components.length) console.log('WARNING: not every file was reused');
    mine.push(r);
  };
  const runBaseline = (): void => {
    if (!values.baseline) return;
    const b = backup(values.baseline, base, `u${i}`);
    show(`2. unchanged (baseline, run ${i + 1})`, b);
    theirs.push(b);
  };
  if (i % 2 === 0) {
    runOurs();
    runBaseline();
  } else {
    runBaseline();
    runOurs();
  }
}
rmSync(cache, { force: true });
show('3. unchanged, cold hash cache (ours)', backup(root, ours, 'cold', ['--cache', cache]));
const wall = (rs: BackupRun[]): number => median(rs.map((r) => r.processSeconds));
const cpu = (rs: BackupRun[]): number => median(rs.map((r) => r.cpuSeconds));
console.log(`unchanged re-backup (ours, median of ${runs}): ${wall(mine).toFixed(2)} s (target < 5 s)`);
if (values.baseline) {
  console.log(`A/B wall: ours ${wall(mine).toFixed(2)} s / baseline ${wall(theirs).toFixed(2)} s = ${(wall(mine) / wall(theirs)).toFixed(2)} (target <= 1)`);
  if (built) console.log(`A/B cpu:  ours ${cpu(mine).toFixed(2)} s / baseline ${cpu(theirs).toFixed(2)} s = ${(cpu(mine) / cpu(theirs)).toFixed(2)}`);
  console.log(`(${loadAndPinning()})`);
}
