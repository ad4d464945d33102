/**
 * Benchmark: upload and download of a ~2 GB snapshot-like set to/from radosgw, medusa-ts's S3 stack
 * (openStorage → uploadFile / downloadFile, as backup and restore use it) against `rclone copy`
 * (Debian's rclone, provider Ceph) with the same number of files in flight and the same part size.
 * Prints times, rates and the ratio rclone time / our time (target >= 1.0: at least as fast).
 *
 * Usage: node --import tsx bench/s3-vs-rclone.ts [--transfers N] [--cold]
 *   --transfers N  files in flight for both tools (concurrent_transfers / --transfers), default 4
 *   --cold         drop the page cache before each run (needs root), else warm runs
 * Our bandwidth cap is off (transfer_max_bandwidth = 0) because rclone runs uncapped; the
 * downloads check every file's hash against the store's, as a restore does (rclone checks MD5s too).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { downloadFile, uploadFile } from '../src/storage/helpers.js';
import { openStorage } from '../src/storage/open.js';
import { ensureDebianPackages } from '../test/environments/object-stores/install.js';
import { mib, MiB, secondsSince, withRadosgw, type BenchStore } from './lib/radosgw-bench.js';
import { runLimited, writeSnapshotSet, type SetFile } from './lib/snapshot-set.js';

const args = process.argv.slice(2);
const transfers = Number(args[args.indexOf('--transfers') + 1] ?? 4) || 4;
const cold = args.includes('--cold');
const PART = 50 * MiB;

function runRclone(store: BenchStore, rcloneArgs: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_RGW_TYPE: 's3',
    RCLONE_CONFIG_RGW_PROVIDER: 'Ceph',
    RCLONE_CONFIG_RGW_ENDPOINT: store.server.endpoint,
    RCLONE_CONFIG_RGW_ACCESS_KEY_ID: store.server.accessKey,
    RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY: store.server.secretKey,
    RCLONE_CONFIG_RGW_REGION: 'us-east-1',
  };
  delete env['AWS_CA_BUNDLE']; // rclone 1.60 refuses to start while it is set
  const all = [...rcloneArgs, '--transfers', String(transfers), '--s3-chunk-size', `${PART / MiB}M`, '--s3-upload-cutoff', '20M',
    '--s3-upload-concurrency', '4', '--config', '/dev/null', '-q'];
  return new Promise((resolve, reject) => {
    const p = spawn('rclone', all, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rclone ${rcloneArgs[0]} exited with ${code}`))));
  });
}

async function dropCaches(): Promise<void> {
  if (!cold) return;
  await writeFile('/proc/sys/vm/drop_caches', '3\n');
}

async function timed(label: string, bytes: number, fn: () => Promise<void>): Promise<number> {
  await dropCaches();
  const t0 = performance.now();
  await fn();
  const s = secondsSince(t0);
  console.log(`${label.padEnd(22)} ${s.toFixed(2).padStart(7)} s  ${mib(bytes / s).padStart(7)} MiB/s`);
  return s;
}

async function main(): Promise<void> {
  await ensureDebianPackages(['rclone'], ['rclone']);
  const work = await mkdtemp(join(tmpdir(), 'medusa-bench-rclone-'));
  try {
    const src = join(work, 'src');
    console.log('# writing the snapshot-like set...');
    const files = await writeSnapshotSet(src);
    const total = files.reduce((n, f) => n + f.size, 0);
    console.log(`# ${files.length} files, ${mib(total)} MiB; ${transfers} files in flight, ${PART / MiB} MiB parts, ${cold ? 'cold' : 'warm'} page cache`);
    await withRadosgw(2 * total + 1024 ** 3, async (store) => {
      const storage = store.section({ concurrent_transfers: transfers, transfer_max_bandwidth: 0 });
      const backend = await openStorage({ storage });
      const stored = new Map<string, { size: number; hash?: string }>();
      try {
        const oursUp = await timed('medusa-ts upload', total, () =>
          runLimited(files, transfers, async (f: SetFile) => {
            const info = await uploadFile(backend, f.path, `ours/${f.relative}`);
            stored.set(f.relative, { size: info.size, ...(info.hash && { hash: info.hash }) });
          }),
        );
        const rcloneUp = await timed('rclone copy upload', total, () => runRclone(store, ['copy', src, `rgw:${store.bucket}/rclone`]));
        const oursDown = await timed('medusa-ts download', total, () =>
          runLimited(files, transfers, async (f: SetFile) => {
            const s = stored.get(f.relative);
            await downloadFile(backend, `ours/${f.relative}`, join(work, 'ours-down', f.relative), {
              ...(s && { expectedSize: s.size, expectedHash: s.hash ?? null }),
              partSize: storage.multipart_chunksize,
            });
          }),
        );
        const rcloneDown = await timed('rclone copy download', total, () => runRclone(store, ['copy', `rgw:${store.bucket}/rclone`, join(work, 'rclone-down')]));
        // Diagnostic: the same reads written with plain buffered writes (no per-file fsync, no
        // atomic rename, no hash check), i.e. what rclone does; separates the S3 backend's speed
        // from the durability downloadFile adds.
        await timed('medusa-ts get, no fsync', total, () =>
          runLimited(files, transfers, async (f: SetFile) => {
            const path = join(work, 'ours-plain', f.relative);
            await mkdir(dirname(path), { recursive: true });
            await pipeline(await backend.get(`ours/${f.relative}`), createWriteStream(path));
          }),
        );
        console.log(`upload ratio (rclone time / medusa-ts time):   ${(rcloneUp / oursUp).toFixed(2)} (target >= 1.0)`);
        console.log(`download ratio (rclone time / medusa-ts time): ${(rcloneDown / oursDown).toFixed(2)} (target >= 1.0)`);
      } finally {
        await backend.close();
      }
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
