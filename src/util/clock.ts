/**
 * Time, injected. Planning code takes a `Clock` (or a plain `now`) instead of reading the system
 * time, so purge ages, grace periods, backoff and default backup names are testable without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds (or at once when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. The only place in src/ that reads the system time. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
