/**
 * The process-wide bandwidth budget (design §2 item 7, §3 "one bandwidth budget"): every upload and
 * download takes tokens (bytes) from ONE bucket, so `transfer_max_bandwidth` bounds the node's total
 * traffic instead of each transfer's (Medusa's per-file limit multiplies by `concurrent_transfers`).
 *
 * Tokens may go negative: `take(n)` reserves `n` bytes at once and waits until the debt it created
 * is paid back at the configured rate. Waiters therefore finish in the order they asked, a request
 * larger than the burst still works, and the long-run rate is exact; the burst only bounds how far
 * an idle period can be "saved up".
 */
import { systemClock, type Clock } from '../util/clock.js';

/** Settings of a `TokenBucket`. */
export interface TokenBucketOptions {
  /** Budget in bytes per second; 0 or `Infinity` means unlimited. */
  readonly bytesPerSecond: number;
  /**
   * Most bytes that may pass without waiting after an idle period. Default: 1/10 s of the rate, so
   * the rate measured over any window of a few seconds stays within ±10% of the budget.
   */
  readonly burstBytes?: number;
  /** Time source; tests pass a virtual clock so nothing sleeps for real. */
  readonly clock?: Clock;
}

/** Default burst, as a fraction of one second of the rate. */
const DEFAULT_BURST_SECONDS = 0.1;

/** Shared bandwidth limiter; safe to use from any number of concurrent transfers. */
export class TokenBucket {
  private readonly clock: Clock;
  private rate = 0;
  private burst = 0;
  private readonly fixedBurst: number | undefined;
  private tokens = 0;
  private last: number;

  constructor(options: TokenBucketOptions) {
    this.clock = options.clock ?? systemClock;
    this.fixedBurst = options.burstBytes;
    this.last = this.clock.now();
    this.setRate(options.bytesPerSecond);
    this.tokens = this.burst;
  }

  /** True when no budget is set; `take` then never waits. */
  get unlimited(): boolean {
    return this.rate === 0;
  }

  /** The budget in bytes per second (0 = unlimited). */
  get bytesPerSecond(): number {
    return this.rate;
  }

  /** Changes the budget; waits already started keep their computed end. */
  setRate(bytesPerSecond: number): void {
    if (!(bytesPerSecond >= 0)) throw new RangeError(`bandwidth must be a non-negative number of bytes per second, got ${bytesPerSecond}`);
    this.refill();
    this.rate = Number.isFinite(bytesPerSecond) ? bytesPerSecond : 0;
    this.burst = this.fixedBurst ?? Math.max(1, Math.floor(this.rate * DEFAULT_BURST_SECONDS));
    this.tokens = Math.min(this.tokens, this.burst);
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last && this.rate > 0) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    }
    this.last = now;
  }

  /**
   * Resolves once `bytes` may be sent. Rejects with the signal's reason if `signal` aborts while
   * waiting; the reserved bytes are then given back.
   */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.rate === 0 || bytes <= 0) return;
    signal?.throwIfAborted();
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.rate) * 1000;
    await this.clock.sleep(waitMs, signal);
    if (signal?.aborted) {
      this.tokens += bytes;
      signal.throwIfAborted();
    }
  }
}
