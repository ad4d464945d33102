/**
 * Progress accounting for transfers. Bytes are reported as deltas so many concurrent transfers can
 * feed one running total; a retried attempt reports a negative delta that undoes its predecessor,
 * so the total is always the bytes of the attempts still alive, never double-counted.
 */

/** Receives byte deltas of one transfer; negative when a retry restarts it from the first byte. */
export type OnProgress = (deltaBytes: number) => void;

/** Counts one transfer's bytes across attempts, forwarding deltas to `onProgress`. */
export class AttemptProgress {
  private current = 0;

  constructor(private readonly onProgress?: OnProgress) {}

  /** Bytes moved by the current attempt. */
  get bytes(): number {
    return this.current;
  }

  /** Records `bytes` more moved by the current attempt. */
  add(bytes: number): void {
    if (bytes === 0) return;
    this.current += bytes;
    this.onProgress?.(bytes);
  }

  /** A new attempt starts from byte 0: takes back what the previous attempt reported. */
  restart(): void {
    if (this.current === 0) return;
    const undo = -this.current;
    this.current = 0;
    this.onProgress?.(undo);
  }
}

/**
 * What a batch of transfers plans to move, announced before its first transfer. Files a resumed
 * download finds already in place are counted here but never started.
 */
export interface TransferBatch {
  /**
   * What moves: `upload`/`download` bytes to or from the store, `hash` stored bytes read to check
   * them (verify), `delete` objects removed (bytes 0 when the sizes are not known).
   */
  readonly direction: 'upload' | 'download' | 'hash' | 'delete';
  readonly files: number;
  readonly bytes: number;
}

/**
 * What an operation tells its progress display (files, bytes): the one progress interface every
 * operation emits to, whichever face shows it (the CLI's terminal line, an agent's status, nothing).
 * Calls come in this order per batch: `begin`, then per file `transferStarted`, `bytesMoved`...,
 * `transferFinished`, files overlapping; `end` once, failure included. Implementations must be
 * cheap and must not throw: they are called on the transfer path.
 */
export interface ProgressReporter {
  /** A batch of transfers begins. */
  begin(batch: TransferBatch): void;
  /** A transfer of `size` bytes begins (once per file, whatever the number of attempts). */
  transferStarted(name: string, size: number): void;
  /** Bytes moved since the last call, possibly negative (see the module comment). */
  bytesMoved(delta: number): void;
  /** The transfer ended, successfully or not. */
  transferFinished(name: string, ok: boolean): void;
  /** The batch ended, successfully or not. */
  end(): void;
  /**
   * Orchestrations over SSH (backup-cluster, restore-cluster): `host` is now in `state` of `step`
   * (e.g. `snapshot`, `backup`, `restore`); `detail` is the last line the host logged, when there
   * is one. Optional: reporters without it show no hosts.
   */
  hostStep?(host: string, step: string, state: HostStepState, detail?: string): void;
}

/** Where a host is in one step of an orchestration. */
export type HostStepState = 'waiting' | 'running' | 'done' | 'failed';

/** A reporter that ignores everything (cron runs, tests): the default of every operation. */
export const noopProgress: ProgressReporter = {
  begin: () => undefined,
  transferStarted: () => undefined,
  bytesMoved: () => undefined,
  transferFinished: () => undefined,
  end: () => undefined,
};

/** A reporter that keeps running totals, for a progress line or a summary. */
export class ProgressTotals implements ProgressReporter {
  filesStarted = 0;
  filesDone = 0;
  filesFailed = 0;
  bytesPlanned = 0;
  bytesMovedTotal = 0;

  begin(): void {}

  transferStarted(_name: string, size: number): void {
    this.filesStarted += 1;
    this.bytesPlanned += size;
  }

  bytesMoved(delta: number): void {
    this.bytesMovedTotal += delta;
  }

  transferFinished(_name: string, ok: boolean): void {
    if (ok) this.filesDone += 1;
    else this.filesFailed += 1;
  }

  end(): void {}
}
