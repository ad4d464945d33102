/**
 * The `prometheus` monitoring provider: keeps node_exporter textfile-collector metrics in
 * `[monitoring] prometheus_textfile` (families: `prometheus-families.ts`).
 *
 * Each event is a read-update-write of the whole file: the previous file is read back (so backup,
 * purge, delete-backup and report-last-backup, separate processes, each update their own series
 * and counters keep counting), the event applied, and the result written to a temporary file in
 * the same folder and renamed over the old one, so the collector never reads half a file (its
 * temporary name does not end in `.prom`, which node_exporter skips). Two commands ending at the
 * same moment take turns through `<textfile>.lock` (created exclusively; one older than
 * {@link STALE_LOCK_MS} is a crashed writer's and is removed).
 *
 * A metrics file that cannot be written never fails the command: the sink logs one warning naming
 * the file and the fix, and the timestamps in the file (left as they were) let an alert on their
 * age fire.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { writeFileAtomically } from '../transfer/atomic-file.js';
import { systemClock, type Clock } from '../util/clock.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { applyMetricEvent } from './prometheus-state.js';
import { parseExposition, renderExposition } from './prometheus-text.js';
import type { MetricEvent, MetricsSink } from './types.js';

/** A lock file older than this was left by a crashed writer (a write takes milliseconds). */
export const STALE_LOCK_MS = 30_000;
/** How long a writer waits for another one before it gives up (with a warning). */
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 50;

export interface PrometheusSinkOptions {
  readonly textfile: string;
  readonly log: Logger;
  readonly clock?: Clock;
}

/** Reads the textfile's current text; empty when it does not exist yet. */
export async function readTextfile(textfile: string): Promise<string> {
  try {
    return await readFile(textfile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

async function takeLock(path: string, clock: Clock): Promise<() => Promise<void>> {
  const deadline = clock.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await stat(path).catch(() => undefined);
    if (held && clock.now() - held.mtimeMs > STALE_LOCK_MS) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (clock.now() >= deadline) throw new Error(`another medusa process holds ${path}`);
    await clock.sleep(LOCK_POLL_MS);
  }
}

/** Applies `event` to the textfile (see the module comment); rejects on any file error. */
export async function updateTextfile(textfile: string, event: MetricEvent, clock: Clock = systemClock): Promise<void> {
  const release = await takeLock(`${textfile}.lock`, clock);
  try {
    const next = applyMetricEvent(parseExposition(await readTextfile(textfile)), event);
    await writeFileAtomically(textfile, Readable.from([Buffer.from(renderExposition(next))]));
  } finally {
    await release();
  }
}

/** The sink; see the module comment. */
export function createPrometheusSink(options: PrometheusSinkOptions): MetricsSink {
  const clock = options.clock ?? systemClock;
  return {
    // Medusa's own metrics are not part of the Prometheus set: events carry the same facts.
    send: () => Promise.resolve(),
    async record(event: MetricEvent): Promise<void> {
      try {
        await updateTextfile(options.textfile, event, clock);
      } catch (err) {
        options.log.warning(
          `Cannot update the Prometheus metrics file ${options.textfile} (${describeError(err)}): ` +
            'set [monitoring] prometheus_textfile to a file in a folder that exists and this user can write',
        );
      }
    },
    close: () => Promise.resolve(),
  };
}
