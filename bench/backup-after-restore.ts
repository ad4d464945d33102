/**
 * Benchmark: the first differential after an in-place restore of the ~2 GB bench node (the
 * snapshot of bench/backup-full.ts: 6 × 256 MiB, 40 × 8 MiB, 2,000 × 64 KiB) to local storage.
 *
 * A restore writes every file anew (new inodes, new mtimes: the hash cache knows none of them),
 * and Cassandra then reuses SSTable names: here 3 files keep their names and sizes with other
 * content. Each backup is a separate process (bench/backup-run.ts) with the CLI's persisted hash
 * cache, on the built code under plain Node.js (bench/lib/backup-child.ts). Measured in one run:
 *  1. the first differential (fills the pool and the hash cache);
 *  2. "restore": every file replaced by a fresh copy of itself, 3 rewritten with other bytes;
 *  3. baseline: `md5sum` of every restored file (one hash pass, warm page cache);
 *  4. the first differential after the restore: files hashed (target: at most every file once),
 *     files and bytes uploaded (target: only the 3 changed files), time and ratio to the baseline.
 *
 * Usage: node --import tsx bench/backup-after-restore.ts [--dir DIR]
 *
 * Measured 2026-12-02 12:52 UTC (Node 24.22, heavy lock, load 2.6-2.8): md5sum of the restored
 * files 4.80 s; the first differential after the restore 3.63 s (CPU 4.00 s, the 264 MiB of changed
 * content uploaded included): 0.76x md5sum; 2,046 files hashed once, 3 uploaded, 2,043 kept; the
 * next differential 0.25 s.
 * Measured 2026-12-02 09:33 UTC (load 6.5-8): 2,046 files, 1,981 MiB. First differential 12.98 s;
 * md5sum of the restored files 4.32 s; the first differential after the restore 6.17 s (1.43x
 * md5sum, the 264 MiB of changed content uploaded included): 2,046 files hashed once, 3 uploaded,
 * 2,043 kept; the next differential 0.33 s, nothing hashed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MiB, TWO_GB_NODE, writeSnapshot } from './backup-lib.js';
import { buildCheckout, runBackupChild, type BackupRun } from './lib/backup-child.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { dir: { type: 'string' } } });
const dir = values.dir ?? join(root, '.cache', 'bench', 'backup-after-restore');
const data = join(dir, 'data');
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

process.stderr.write(`preparing the snapshot in ${data} (once)...\n`);
const set = writeSnapshot(data, TWO_GB_NODE.groups, TWO_GB_NODE.tables);
process.stderr.write(`${set.files} files, ${(set.bytes / MiB).toFixed(0)} MiB\n`);

buildCheckout(root);
// The built code under plain Node.js with bin/medusa's flags, the store behind the retry wrapper: as `medusa backup` runs.
function backup(name: string): BackupRun {
  return runBackupChild(['--data', data, '--store', store, '--name', name, '--mode', 'differential', '--wrapped', '--cache', cache], { built: true });
}
function allFiles(d: string): string[] {
  return readdirSync(d, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name !== '.complete').map((e) => join(e.parentPath, e.name));
}

const store = join(dir, 'store');
const cache = join(dir, 'hash-cache.json');
for (const p of [store, cache, join(dir, '.medusa-ts')]) rmSync(p, { recursive: true, force: true });

const first = backup('d1');
console.log(`1. first differential: ${first.processSeconds.toFixed(2)} s, uploaded ${first.uploaded} (load ${load()})`);

// 2. The restore: fresh copies (new inodes and mtimes), and 3 reused names with other bytes.
const files = allFiles(data).sort();
for (const f of files) {
  copyFileSync(f, `${f}.restoring`);
  renameSync(`${f}.restoring`, f);
}
const changed = [files.find((f) => f.endsWith('Data.db'))!, files.find((f) => f.endsWith('Index.db'))!, files.find((f) => f.endsWith('Filter.db'))!];
// Fresh random bytes each run: the prepared folder is reused, so a fixed pattern would match last run's.
for (const f of changed) writeFileSync(f, Buffer.alloc(statSync(f).size, randomBytes(64)));
const changedBytes = changed.reduce((n, f) => n + statSync(f).size, 0);
execFileSync('bash', ['-c', `find '${data}' -type f -print0 | xargs -0 cat > /dev/null`]);

const t0 = performance.now();
execFileSync('bash', ['-c', `find '${data}' -type f -name 'nb-*' -print0 | xargs -0 md5sum > /dev/null`]);
const md5sum = (performance.now() - t0) / 1000;
console.log(`3. md5sum of every restored file: ${md5sum.toFixed(2)} s (load ${load()})`);

const after = backup('d2');
console.log(`4. first differential after the restore: ${after.processSeconds.toFixed(2)} s (in-process ${after.seconds.toFixed(2)} s, cpu ${after.cpuSeconds.toFixed(2)} s), files hashed ${after.hashMisses} of ${set.files}, ` +
  `uploaded ${after.uploaded} (${changed.length} changed, ${(changedBytes / MiB).toFixed(1)} MiB), kept ${after.kept} (load ${load()})`);
console.log(`at most one hash pass: ${after.hashMisses <= set.files ? 'yes' : 'NO'}; only changed content uploaded: ${after.uploaded === changed.length ? 'yes' : 'NO'}; ` +
  `time / md5sum: ${(after.processSeconds / md5sum).toFixed(2)}`);
const again = backup('d3');
console.log(`5. the differential after that: ${again.processSeconds.toFixed(2)} s, files hashed ${again.hashMisses}, uploaded ${again.uploaded} (load ${load()})`);
