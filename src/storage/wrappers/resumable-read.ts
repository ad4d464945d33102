/**
 * A download stream that survives transient failures: when the inner stream fails with a retryable
 * error after some bytes, the rest is fetched with a range read starting at the first byte not yet
 * delivered, after the policy's wait. The consumer sees one uninterrupted stream.
 */
import { Readable } from 'node:stream';
import { InvalidRangeError } from '../errors.js';
import type { ByteRange, GetOptions } from '../types.js';
import type { RetryPolicy } from './retry-policy.js';

/** Opens (with its own retries) the object from `range`. */
export type RangeOpener = (options: GetOptions) => Promise<Readable>;

/** `first` continued across transient failures by reopening with `open`. */
export function resumableRead(first: Readable, key: string, options: GetOptions, open: RangeOpener, policy: RetryPolicy): Readable {
  const start = options.range?.start ?? 0;
  const end = options.range?.end;
  const signal = options.signal;

  async function* chunks(): AsyncGenerator<Buffer> {
    let current: Readable = first;
    let delivered = 0;
    let failures = 0;
    for (;;) {
      try {
        for await (const chunk of current as AsyncIterable<Buffer>) {
          delivered += chunk.length;
          failures = 0; // progress: the next failure starts a fresh count
          yield chunk;
        }
        return;
      } catch (err) {
        current.destroy();
        failures += 1;
        await policy.afterFailure('get', key, failures, err, signal);
        const range: ByteRange = end === undefined ? { start: start + delivered } : { start: start + delivered, end };
        try {
          // Nothing delivered yet: ask again exactly as the caller did (a range on an empty object is refused).
          current = await open(delivered === 0 ? options : { ...options, range });
        } catch (reopenErr) {
          // The failure came after the last byte: the range past the end is refused, nothing is missing.
          if (reopenErr instanceof InvalidRangeError && delivered > 0) return;
          throw reopenErr;
        }
      }
    }
  }

  return Readable.from(chunks(), { objectMode: false });
}
