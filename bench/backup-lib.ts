/**
 * Shared pieces of the backup benchmarks: synthetic snapshot folders laid out as Cassandra lays
 * them out (`<data>/<ks>/<table>-<id>/snapshots/<tag>/`), and Cassandra-side ports that serve such
 * a folder without a live node (the backup operation takes its Cassandra side as ports).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { findSnapshotTables, snapshotExists } from '../src/cassandra/snapshot-files.js';
import type { MetadataPort, SnapshotPort } from '../src/cassandra/types.js';

export const MiB = 1024 * 1024;
export const BENCH_TAG = 'bench-snapshot';

/** The ~2 GB bench node: 6 × 256 MiB, 40 × 8 MiB and 2,000 × 64 KiB files, in 40 tables. */
export const TWO_GB_NODE = {
  groups: [
    { count: 6, size: 256 * MiB, component: 'Data.db' },
    { count: 40, size: 8 * MiB, component: 'Index.db' },
    { count: 2000, size: 64 * 1024, component: 'Filter.db' },
  ],
  tables: 40,
} as const;

/** One group of files: `count` files of `size` bytes, SSTable component `component`. */
export interface FileGroup {
  readonly count: number;
  readonly size: number;
  readonly component: string;
}

/**
 * Writes the snapshot under `dataDir` unless `dataDir/.complete` says it is there already. File
 * content is pseudo-random (distinct per file), so neither the file system nor MD5 sees zeros.
 */
export function writeSnapshot(dataDir: string, groups: readonly FileGroup[], tables: number): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const done = join(dataDir, '.complete');
  const block = Buffer.alloc(4 * MiB);
  let x = 2463534242;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    block.writeUInt32LE(x >>> 0, i);
  }
  let n = 0;
  for (const g of groups) {
    for (let i = 0; i < g.count; i++, n++) {
      files++;
      bytes += g.size;
      if (existsSync(done)) continue;
      const table = n % tables;
      const dir = join(dataDir, `ks${table % 4}`, `table${table}-5b2a4bd0c1ef11eea2d1a3f3b8c0d9${String(table % 100).padStart(2, '0')}`, 'snapshots', BENCH_TAG);
      mkdirSync(dir, { recursive: true });
      const fd = openSync(join(dir, `nb-${n}-big-${g.component}`), 'w');
      try {
        for (let off = 0; off < g.size; off += block.length) {
          block.writeUInt32LE(n, 0);
          block.writeUInt32LE(off / block.length, 4);
          writeSync(fd, block, 0, Math.min(block.length, g.size - off));
        }
      } finally {
        closeSync(fd);
      }
    }
  }
  if (!existsSync(done)) closeSync(openSync(done, 'w'));
  return { files, bytes };
}

/**
 * A snapshot port over a prepared folder: whatever tag the backup asks for, it gets snapshot
 * {@link BENCH_TAG}; taking and clearing are no-ops (the prepared files are never removed).
 */
export function preparedSnapshots(dataDir: string): SnapshotPort {
  return {
    dataDirs: [dataDir],
    exists: () => snapshotExists([dataDir], BENCH_TAG),
    create: () => Promise.resolve(),
    clear: () => Promise.resolve(),
    tables: () => findSnapshotTables([dataDir], BENCH_TAG),
  };
}

/** Fixed node metadata (one node, one token). */
export const fixedMetadata: MetadataPort = {
  read: () =>
    Promise.resolve({
      schema: 'CREATE KEYSPACE ks0 WITH replication = {\'class\': \'SimpleStrategy\', \'replication_factor\': \'1\'}  AND durable_writes = true;',
      tokenmap: new Map([['bench-node', { tokens: [-9223372036854775808n], is_up: true, rack: 'r1', dc: 'dc1' }]]),
      serverVersion: { server_type: 'cassandra', release_version: '5.0.9' },
    }),
};

/** Seconds taken by `fn`. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/**
 * The ~2 GB snapshot of bench/backup-full.ts (6 × 256 MiB, 40 × 8 MiB and 2,000 × 64 KiB files in
 * 40 tables), written into `dataDir` once (reused after), then read once so runs start warm.
 */
export function prepareTwoGbSnapshot(dataDir: string): { files: number; bytes: number } {
  process.stderr.write(`preparing the snapshot in ${dataDir} (once)...\n`);
  const set = writeSnapshot(dataDir, TWO_GB_NODE.groups, TWO_GB_NODE.tables);
  process.stderr.write(`${set.files} files, ${(set.bytes / MiB).toFixed(0)} MiB\n`);
  execFileSync('bash', ['-c', `find '${dataDir}' -type f -print0 | xargs -0 cat > /dev/null`]);
  return set;
}
