/**
 * A virtual clock for tests: `sleep` never waits for real. With `autoAdvance` (the default) the
 * clock jumps to the earliest pending wake-up as soon as the process has nothing else to do right
 * now (checked with `setImmediate`, i.e. after pending promise callbacks have run), which turns
 * concurrent sleepers into a small discrete-event simulation: rates measured in virtual time are
 * exact, and tests take milliseconds.
 */
import type { Clock } from '../../src/util/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** The virtual clock described in the module comment; `sleeps` records every requested wait. */
export class FakeClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;
  private readonly autoAdvance: boolean;
  /** Every duration passed to `sleep`, in call order. */
  readonly sleeps: number[] = [];

  constructor(options: { start?: number; autoAdvance?: boolean } = {}) {
    this.current = options.start ?? 1_700_000_000_000;
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve: () => resolve() };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      }, { once: true });
      this.schedule();
    });
  }

  /** Moves time forward by `ms`, waking every sleeper due by then, in time order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.fire(next);
    }
    this.current = target;
  }

  /** Number of sleepers not yet woken. */
  get pending(): number {
    return this.timers.length;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
  }

  private schedule(): void {
    if (!this.autoAdvance || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const next = this.earliest();
      if (!next) return;
      // Wake everyone due at that instant together, then look again once they have run.
      const at = next.at;
      for (let t = this.earliest(); t && t.at === at; t = this.earliest()) this.fire(t);
      if (this.timers.length > 0) this.schedule();
    });
  }
}
