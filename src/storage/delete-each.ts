/**
 * `deleteMany` for stores without a batch delete (local files, Azure, GCS): one `delete` per key,
 * a bounded number at once, every failure collected instead of stopping at the first.
 */
import pLimit from 'p-limit';
import type { DeleteManyResult } from './types.js';

/** Deletes in flight at once: enough to hide per-request latency, few enough to be polite. */
export const DELETE_CONCURRENCY = 16;

/** Runs `deleteOne` on every key, `concurrency` at a time; reports the keys that failed and why. */
export async function deleteEach(
  keys: readonly string[],
  deleteOne: (key: string) => Promise<void>,
  concurrency: number = DELETE_CONCURRENCY,
): Promise<DeleteManyResult> {
  const limit = pLimit(concurrency);
  const failed: Array<{ key: string; error: Error }> = [];
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        try {
          await deleteOne(key);
        } catch (err) {
          failed.push({ key, error: err instanceof Error ? err : new Error(String(err)) });
        }
      }),
    ),
  );
  return { deleted: keys.length - failed.length, failed };
}
