/**
 * Benchmark: differential re-backup of an unchanged node holding 20,000 SSTable files (2,500
 * tables × 8 components, 1-16 KiB each). Measures, in one run, each backup as a separate process
 * by our backup operation (no Cassandra; the snapshot is a prepared folder):
 *  1. the first differential (uploads everything; fills the pool);
 *  2. an unchanged re-backup without hash checks (target < 5 s);
 *  3. an unchanged re-backup with --enable-md5-checks and a cold hash cache;
 *  4. the same with the warm hash cache (target < 2x run 2).
 * Runs 3 and 4 use a store whose listing carries hashes (as S3/GCS/Azure do; see backup-run.ts),
 * so the hashes are really compared; run 2 is repeated on that store for a like-for-like ratio.
 *
 * Usage: node --import tsx bench/backup-differential.ts [--dir DIR] [--files 20000]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSnapshot } from './backup-lib.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { dir: { type: 'string' }, files: { type: 'string', default: '20000' } } });
const files = Number(values.files);
const dir = values.dir ?? join(root, '.cache', 'bench', `backup-diff-${files}`);
const data = join(dir, 'data');
const components = ['Data.db', 'Index.db', 'Filter.db', 'Summary.db', 'Statistics.db', 'CompressionInfo.db', 'Digest.crc32', 'TOC.txt'];

process.stderr.write(`preparing ${files} files in ${data} (once)...\n`);
const per = Math.ceil(files / components.length);
writeSnapshot(data, components.map((component, i) => ({ count: per, size: 1024 * (1 + ((i * 5) % 16)), component })), Math.ceil(files / 8));

interface RunResult { seconds: number; maxRssMiB: number; uploaded: number; kept: number; hashMisses: number; hashHits: number }
function backup(store: string, name: string, extra: string[] = []): RunResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'backup-run.ts'), '--data', data, '--store', store, '--name', name, '--mode', 'differential', ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`backup ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunResult;
}

const local = join(dir, 'store-local');
const hashed = join(dir, 'store-hashed');
const cache = join(dir, 'hash-cache.json');
for (const p of [local, hashed, `${hashed}.hashes.json`, cache]) rmSync(p, { recursive: true, force: true });

const show = (label: string, r: RunResult): void =>
  console.log(`${label.padEnd(58)} ${r.seconds.toFixed(2).padStart(6)} s  uploaded ${r.uploaded}, kept ${r.kept}, hashed ${r.hashMisses}, cache hits ${r.hashHits}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);

show('1. first differential (local store)', backup(local, 'd1'));
const plain = backup(local, 'd2');
show('2. unchanged re-backup, no hash checks (local store)', plain);
backup(hashed, 'h1', ['--listing-hashes', '--cache', cache]);
const plainHashed = backup(hashed, 'h2', ['--listing-hashes']);
show('2b. same, store listing hashes', plainHashed);
rmSync(cache, { force: true });
const cold = backup(hashed, 'h3', ['--listing-hashes', '--md5', '--cache', cache]);
show('3. unchanged, --enable-md5-checks, cold hash cache', cold);
const warm = backup(hashed, 'h4', ['--listing-hashes', '--md5', '--cache', cache]);
show('4. unchanged, --enable-md5-checks, warm hash cache', warm);
console.log(`unchanged re-backup: ${plain.seconds.toFixed(2)} s (target < 5 s); md5 checks with a warm cache / without: ${(warm.seconds / plainHashed.seconds).toFixed(2)}x (target < 2x); cold cache: ${(cold.seconds / plainHashed.seconds).toFixed(2)}x`);
if (plain.kept !== files && plain.kept < per * components.length) console.log('WARNING: not every file was reused');
