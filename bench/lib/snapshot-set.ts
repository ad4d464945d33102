/**
 * A synthetic Cassandra-snapshot-like set of files for the throughput benchmarks: a few large
 * Data.db files, some medium ones and many small components, in keyspace/table folders.
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { MiB } from './radosgw-bench.js';

/** One file of the set. */
export interface SetFile {
  readonly relative: string;
  readonly path: string;
  readonly size: number;
}

/** Sizes of the default ~2 GB set: 6 × 256 MiB, 40 × 8 MiB, 300 × 64 KiB, 100 × 300 B. */
const LAYOUT: ReadonlyArray<readonly [count: number, size: number, component: string]> = [
  [6, 256 * MiB, 'Data.db'],
  [40, 8 * MiB, 'Index.db'],
  [300, 64 * 1024, 'Filter.db'],
  [100, 300, 'Digest.crc32'],
];

/** Writes the set under `root` (distinct content per file) and returns its files. */
export async function writeSnapshotSet(root: string): Promise<SetFile[]> {
  const files: SetFile[] = [];
  let n = 0;
  const block = Buffer.alloc(4 * MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (const [count, size, component] of LAYOUT) {
    for (let i = 0; i < count; i++, n++) {
      const relative = `ks${n % 3}/table${n % 7}-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e${n % 10}/nb-${n}-big-${component}`;
      const path = join(root, relative);
      await mkdir(join(path, '..'), { recursive: true });
      const handle = await open(path, 'w');
      try {
        for (let written = 0; written < size; written += block.length) {
          block.writeUInt32LE(n * 1_000_003 + written / block.length, 0);
          await handle.write(block, 0, Math.min(block.length, size - written));
        }
      } finally {
        await handle.close();
      }
      files.push({ relative, path, size });
    }
  }
  return files;
}

/** Runs `fn` over `items`, `limit` at a time; rejects with the first failure. */
export async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
