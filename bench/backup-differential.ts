/**
 * Benchmark: differential re-backup of an unchanged node holding 20,000 SSTable files (2,500
 * tables × 8 components, 1-16 KiB each) to local storage. Each backup is a separate process
 * running our backup operation (bench/backup-run.ts; no Cassandra, the snapshot is a prepared
 * folder), with the hash cache as the CLI uses it (always since issue 13: a differential compares
 * every same-name same-size file by hash before reusing a stored object).
 *  1. the first differential (uploads everything; fills the pool and the hash cache);
 *  2. unchanged re-backups, warm hash cache (target < 5 s), `--runs` times;
 *  3. one unchanged re-backup with a cold hash cache (every file hashed once).
 * With `--baseline DIR` (another checkout, e.g. /work/main, with its node_modules), the same
 * re-backup by that checkout's `bench/backup-run.ts` on its own store, as its CLI ran it (before
 * issue 13: no hash cache without --enable-md5-checks), interleaved with ours run by run: the A/B
 * ratio ours / baseline of the medians (target <= 1).
 *
 * Usage: node --import tsx bench/backup-differential.ts [--dir DIR] [--files 20000] [--runs 5] [--baseline DIR]
 *
 * Measured 2026-12-02 09:32 UTC (load 8-9 on 2 cores, others' jobs running), --baseline main
 * (0ba606c + 0.31 env), 3 runs, before the cache fast path: ours 3.49 / 3.77 / 4.17 s, main 2.18 /
 * 1.82 / 2.54 s: A/B 1.73 (medians). Cold hash cache (every file hashed once): 14.4 s. The gap
 * came from rewriting the 2.5 MB hash cache with an fsync on every run, one await per file for
 * cache hits, and reading each folder's stored-MD5 log after the folder's listing instead of with it.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSnapshot } from './backup-lib.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { dir: { type: 'string' }, files: { type: 'string', default: '20000' }, runs: { type: 'string', default: '5' }, baseline: { type: 'string' } },
});
const files = Number(values.files);
const runs = Number(values.runs);
const dir = values.dir ?? join(root, '.cache', 'bench', `backup-diff-${files}`);
const data = join(dir, 'data');
const components = ['Data.db', 'Index.db', 'Filter.db', 'Summary.db', 'Statistics.db', 'CompressionInfo.db', 'Digest.crc32', 'TOC.txt'];

process.stderr.write(`preparing ${files} files in ${data} (once)...\n`);
const per = Math.ceil(files / components.length);
writeSnapshot(data, components.map((component, i) => ({ count: per, size: 1024 * (1 + ((i * 5) % 16)), component })), Math.ceil(files / 8));

interface RunResult { seconds: number; maxRssMiB: number; uploaded: number; kept: number; hashMisses: number; hashHits: number }
function backup(checkout: string, store: string, name: string, extra: string[] = []): RunResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(checkout, 'bench', 'backup-run.ts'), '--data', data, '--store', store, '--name', name, '--mode', 'differential', ...extra], { encoding: 'utf8', cwd: checkout });
  if (r.status !== 0) throw new Error(`backup ${name} (${checkout}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunResult;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
const show = (label: string, r: RunResult): void =>
  console.log(`${label.padEnd(52)} ${r.seconds.toFixed(2).padStart(6)} s  uploaded ${r.uploaded}, kept ${r.kept}, hashed ${r.hashMisses}, cache hits ${r.hashHits}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB  (load ${load()})`);

const ours = join(dir, 'store-ours');
const base = join(dir, 'store-baseline');
const cache = join(dir, 'hash-cache.json');
for (const p of [ours, base, cache, join(dir, '.medusa-ts')]) rmSync(p, { recursive: true, force: true });

show('1. first differential (ours)', backup(root, ours, 'd1', ['--cache', cache]));
if (values.baseline) show('1. first differential (baseline)', backup(values.baseline, base, 'd1'));
const mine: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < runs; i++) {
  const r = backup(root, ours, `u${i}`, ['--cache', cache]);
  show(`2. unchanged, warm hash cache (ours, run ${i + 1})`, r);
  mine.push(r.seconds);
  if (r.kept !== files && r.kept < per * components.length) console.log('WARNING: not every file was reused');
  if (values.baseline) {
    const b = backup(values.baseline, base, `u${i}`);
    show(`2. unchanged (baseline, run ${i + 1})`, b);
    theirs.push(b.seconds);
  }
}
rmSync(cache, { force: true });
show('3. unchanged, cold hash cache (ours)', backup(root, ours, 'cold', ['--cache', cache]));
console.log(`unchanged re-backup (ours, median of ${runs}): ${median(mine).toFixed(2)} s (target < 5 s)`);
if (values.baseline) {
  console.log(`A/B: ours ${median(mine).toFixed(2)} s / baseline ${median(theirs).toFixed(2)} s = ${(median(mine) / median(theirs)).toFixed(2)} (target <= 1); load ${load()}`);
}
