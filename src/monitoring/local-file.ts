/**
 * The `local` monitoring provider: appends one JSON line `{"seq": n, "tags": [...], "value": v}`
 * per metric to `metrics.json` in the working directory, as Medusa does (its tests read the file).
 */
import { appendFile, readFile } from 'node:fs/promises';
import { dumpsPython } from '../domain/python-json.js';
import type { MetricsSink, MetricTags } from './types.js';

export function createLocalFileSink(file = 'metrics.json'): MetricsSink {
  let seq: number | undefined;
  return {
    async send(tags: MetricTags, value: number): Promise<void> {
      if (seq === undefined) {
        // Continue the numbering of lines earlier runs appended.
        const existing = await readFile(file, 'utf8').catch(() => '');
        seq = existing.split('\n').filter((l) => l.trim() !== '').length;
      }
      await appendFile(file, `${dumpsPython({ seq: seq++, tags: [...tags], value })}\n`);
    },
    close: () => Promise.resolve(),
  };
}
