/**
 * When and how long to wait before another attempt at a storage operation.
 *
 * Per-object retries sit on top of the SDKs' own per-request retries (kept small in each backend),
 * so the defaults are modest: 5 attempts (Medusa's count for per-object operations), waits of
 * 1 s, 2 s, 4 s, 8 s (capped at 30 s), each shortened at random by up to half so that many
 * transfers failing together do not come back together.
 */
import { isRetryable, type TransientStorageError } from '../errors.js';
import { systemClock, type Clock } from '../../util/clock.js';

/** One scheduled retry, for logs. */
export interface RetryEvent {
  /** `put`, `get`, `stat`, `list`, `delete` or `deleteMany`. */
  readonly operation: string;
  /** The key (or listing prefix) concerned. */
  readonly target: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: Error;
}

/** Retry settings; every field has a default (see the module comment). */
export interface RetryOptions {
  /** Attempts per object, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Wait before the second attempt. Default 1,000 ms. */
  readonly baseDelayMs?: number;
  /** Longest computed wait (a server's `retryAfterMs` may ask for more). Default 30,000 ms. */
  readonly maxDelayMs?: number;
  /** Time source for the waits. */
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for the jitter; tests pass a constant. */
  readonly random?: () => number;
  /** Told before each wait (logging). */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Longest wait honoured from a server's retry-after hint. */
const MAX_SERVER_DELAY_MS = 5 * 60 * 1000;

/** Resolved retry settings with the decision logic. */
export class RetryPolicy {
  readonly maxAttempts: number;
  readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.onRetry = options.onRetry;
  }

  /** The wait after failed attempt number `attempt` (1-based) with `error`. */
  delayMs(attempt: number, error: unknown): number {
    const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    const jittered = backoff * (0.5 + 0.5 * this.random());
    const hint = (error as Partial<TransientStorageError> | null)?.retryAfterMs;
    return typeof hint === 'number' && hint > 0 ? Math.max(jittered, Math.min(hint, MAX_SERVER_DELAY_MS)) : jittered;
  }

  /**
   * After attempt `attempt` failed with `error`: rethrows when the error is permanent, the attempts
   * are used up or `signal` aborted; otherwise waits the backoff and returns (try again).
   */
  async afterFailure(operation: string, target: string, attempt: number, error: unknown, signal?: AbortSignal): Promise<void> {
    if (!isRetryable(error) || attempt >= this.maxAttempts || signal?.aborted) throw error;
    const delayMs = this.delayMs(attempt, error);
    this.onRetry?.({ operation, target, attempt, delayMs, error: error as Error });
    await this.clock.sleep(delayMs, signal);
    signal?.throwIfAborted();
  }

  /** Runs `fn` until it succeeds, a permanent error occurs or the attempts are used up. */
  async run<T>(operation: string, target: string, fn: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        await this.afterFailure(operation, target, attempt, err, signal);
      }
    }
  }
}
