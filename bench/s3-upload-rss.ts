/**
 * Benchmark: peak RSS while uploading ONE 4 GB file to radosgw with default settings
 * (multi_part_upload_threshold 20MB, multipart_chunksize 50MB, multipart_max_concurrency 4,
 * transfer_max_bandwidth 50MB/s, through the production stack `openStorage`). Target: < 300 MB.
 *
 * Usage: node --import tsx bench/s3-upload-rss.ts [sizeGiB=4]
 * The upload runs in a child process so its peak RSS (getrusage maxrss) is the upload's alone.
 * Options: MEDUSA_BENCH_BANDWIDTH=<ini value> overrides transfer_max_bandwidth (e.g. 0 = no cap).
 */
import { spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../src/storage/open.js';
import { mib, MiB, secondsSince, withRadosgw } from './lib/radosgw-bench.js';

const LIMIT_BYTES = 300 * 1000 * 1000;

/** Child: upload `file` with the section given as JSON in argv, print one JSON line. */
async function child(sectionJson: string, file: string): Promise<void> {
  const storage = JSON.parse(sectionJson) as Parameters<typeof openStorage>[0]['storage'];
  const backend = await openStorage({ storage });
  const t0 = performance.now();
  const info = await backend.put('rss/one-big-file-Data.db', { kind: 'file', path: file });
  const seconds = secondsSince(t0);
  await backend.close();
  console.log(JSON.stringify({ seconds, size: info.size, hash: info.hash, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

async function writeFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const block = Buffer.alloc(8 * MiB);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    for (let written = 0; written < size; written += block.length) {
      block.writeUInt32LE(written / block.length, 0); // every block differs
      await handle.write(block, 0, Math.min(block.length, size - written));
    }
  } finally {
    await handle.close();
  }
}

async function main(): Promise<void> {
  const sizeGiB = Number(process.argv[2] ?? 4);
  const size = sizeGiB * 1024 ** 3;
  const file = join(tmpdir(), `medusa-bench-rss-${process.pid}.bin`);
  try {
    console.log(`# writing a ${sizeGiB} GiB file...`);
    await writeFile(file, size);
    await withRadosgw(size + 1024 ** 3, async (store) => {
      const extra: Record<string, string> = {};
      const bandwidth = process.env['MEDUSA_BENCH_BANDWIDTH'];
      if (bandwidth !== undefined) extra['transfer_max_bandwidth'] = bandwidth;
      const section = store.section(extra);
      console.log(`# uploading with multipart_chunksize ${mib(section.multipart_chunksize)} MiB, threshold ${mib(section.multi_part_upload_threshold)} MiB, ` +
        `${section.multipart_max_concurrency} parts in flight, transfer_max_bandwidth ${mib(section.transfer_max_bandwidth)} MiB/s`);
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', JSON.stringify(section), file], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        p.stdout.on('data', (d: Buffer) => (text += d.toString()));
        p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`upload child exited with ${code}`))));
      });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { seconds: number; size: number; hash: string; maxRssBytes: number };
      const verdict = result.maxRssBytes < LIMIT_BYTES ? 'PASS' : 'FAIL';
      console.log(`upload: ${mib(result.size)} MiB in ${result.seconds.toFixed(1)} s (${mib(result.size / result.seconds)} MiB/s), ETag ${result.hash}`);
      console.log(`peak RSS: ${(result.maxRssBytes / 1e6).toFixed(0)} MB (target < 300 MB): ${verdict}`);
      if (verdict === 'FAIL') process.exitCode = 1;
    });
  } finally {
    await rm(file, { force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? '{}', process.argv[4] ?? '');
else await main();
