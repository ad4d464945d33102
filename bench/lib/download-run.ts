/**
 * One download from an object store, run as a child process by bench/s3-vs-rclone.ts so that its
 * CPU is its own and it can be pinned to a core (`taskset`). Prints one JSON line:
 * `{ seconds, cpu: ThreadCpu, hashChecked }`.
 *
 * Usage: tsx bench/lib/download-run.ts JOB.json
 *   JOB: { storage: StorageSection, tables: PlannedTable[], dest, transfers, mode }
 *   mode "restore": the restore's engine (`downloadTables`: size and hash checks, atomic writes,
 *     one sync at the end); "drop": the same objects read and the bytes dropped (the transport's
 *     cost alone); "drop-md5": read and hashed with MD5 on the receiving thread, nothing written.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StorageSection } from '../../src/config/types.js';
import { downloadTables } from '../../src/ops/download.js';
import type { PlannedTable } from '../../src/plan/restore-plan.js';
import { openStorage } from '../../src/storage/open.js';
import { systemClock } from '../../src/util/clock.js';
import { logger } from '../../src/util/logger.js';
import { runLimited } from './snapshot-set.js';
import { measureThreads } from './thread-cpu.js';

interface Job {
  readonly storage: StorageSection;
  readonly tables: PlannedTable[];
  readonly dest: string;
  readonly transfers: number;
  readonly mode: 'restore' | 'drop' | 'drop-md5';
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Job;
const backend = await openStorage({ storage: job.storage });
const keys = job.tables.flatMap((t) => t.files.map((f) => f.key));
const meter = measureThreads();
const t0 = performance.now();
let hashChecked = 0;
if (job.mode === 'restore') {
  const summary = await downloadTables({ storage: backend, log: logger, clock: systemClock }, job.tables, job.dest, {
    concurrency: job.transfers,
    partSize: job.storage.multipart_chunksize,
  });
  hashChecked = summary.filesHashChecked;
} else {
  await runLimited(keys, job.transfers, async (key) => {
    const md5 = job.mode === 'drop-md5' ? createHash('md5') : undefined;
    for await (const chunk of await backend.get(key)) md5?.update(chunk as Buffer);
    md5?.digest();
  });
}
const seconds = (performance.now() - t0) / 1000;
const cpu = meter.stop();
await backend.close();
process.stdout.write(`${JSON.stringify({ seconds, cpu, hashChecked })}\n`);
