/**
 * The backups this agent process runs: at most one at a time (design §5: another name is refused
 * at once, naming the running one), plus the outcome of the recent ones.
 *
 * This is memory only, and nothing depends on it surviving a restart: BackupStatus derives
 * everything else from the bucket and from the backup locks on disk (ops/backup-lock.ts), which
 * carry pid and process start, so a backup of a crashed agent reads as FAILED afterwards.
 *
 * Callers may rely on: `reserve` is synchronous, so two requests arriving together cannot both
 * get a slot; a reservation is either started (`start`) or given back (`cancel`); `find` knows a
 * run from its reservation until it drops out of the remembered outcomes (the last 100).
 */
/** How a backup stores its files (BackupRequest.Mode). */
export type BackupMode = 'full' | 'differential';

/** Where a run is. */
export type RunState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running' }
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly error: string };

/** One backup run of this process. */
export interface BackupRun {
  readonly name: string;
  readonly fqdn: string;
  readonly mode: BackupMode;
  /** Epoch ms the request was accepted. */
  readonly acceptedAt: number;
  readonly state: RunState;
  /** Resolves when the run has ended (never rejects). */
  readonly done: Promise<void>;
}

interface MutableRun extends BackupRun {
  state: RunState;
  done: Promise<void>;
  controller: AbortController;
}

const REMEMBERED = 100;

/** See the module comment. */
export class BackupRuns {
  private active: MutableRun | undefined;
  private readonly ended = new Map<string, MutableRun>();

  /** The run holding the slot (starting or running), if any. */
  get current(): BackupRun | undefined {
    return this.active;
  }

  /** The run of backup `name` of node `fqdn`: the current one, or a remembered outcome. */
  find(name: string, fqdn: string): BackupRun | undefined {
    if (this.active && this.active.name === name && this.active.fqdn === fqdn) return this.active;
    return this.ended.get(`${fqdn}\u0000${name}`);
  }

  /** Takes the slot for backup `name`, or returns undefined when a run holds it. */
  reserve(name: string, fqdn: string, mode: BackupMode, acceptedAt: number): BackupRun | undefined {
    if (this.active) return undefined;
    this.active = { name, fqdn, mode, acceptedAt, state: { kind: 'starting' }, done: Promise.resolve(), controller: new AbortController() };
    return this.active;
  }

  /** Gives back a reservation that was refused before anything started. */
  cancel(run: BackupRun): void {
    if (this.active === run && run.state.kind === 'starting') this.active = undefined;
  }

  /**
   * Starts the reserved run: `work` gets a signal that aborts on `abort()`. The outcome is recorded
   * when `work` settles, and the slot freed.
   */
  start(run: BackupRun, work: (signal: AbortSignal) => Promise<void>): void {
    const r = this.active;
    if (!r || r !== run || r.state.kind !== 'starting') throw new Error(`backup ${run.name} holds no reservation`);
    r.state = { kind: 'running' };
    r.done = Promise.resolve()
      .then(() => work(r.controller.signal))
      .then(
        () => {
          r.state = { kind: 'succeeded' };
        },
        (err: unknown) => {
          r.state = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
        },
      )
      .finally(() => {
        this.active = undefined;
        const key = `${r.fqdn}\u0000${r.name}`;
        this.ended.delete(key);
        this.ended.set(key, r);
        if (this.ended.size > REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
      });
  }

  /** Forgets the outcome of backup `name` (it was deleted). */
  forget(name: string, fqdn: string): void {
    this.ended.delete(`${fqdn}\u0000${name}`);
  }

  /** Aborts the running backup, if any; resolves once it has ended. */
  async abort(reason: string): Promise<void> {
    const r = this.active;
    if (!r) return;
    r.controller.abort(new Error(reason));
    await r.done;
  }
}
