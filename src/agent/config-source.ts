/**
 * The agent's sessions (ops/api/session.ts), re-read between requests (design §5: a changed
 * `medusa.ini` is picked up without a restart, where Medusa's entrypoint restarts the container).
 *
 * Every request leases the current generation: a session (configuration, storage, layout). Before
 * a lease, the file's text is compared with the text the current session was opened from; when it
 * changed, a new session is opened (the configuration loaded afresh, its storage opened). A
 * running backup keeps the session it started with until it ends; a superseded session's storage
 * is closed once its last lease is released. Opening a session per request instead would load the
 * configuration (DNS included, for a computed fqdn) and open a storage client for every call.
 *
 * A file that no longer loads (missing, or a wrong key) fails the requests with the configuration
 * error, naming the file and key; nothing runs on the old settings the operator meant to replace.
 * The next request tries again.
 */
import { readFileSync } from 'node:fs';
import { NodeTotalsCache } from '../ops/api/backups.js';
import { DEFAULT_CONFIG_PATH } from '../config/index.js';
import { openSession, type Session, type SessionOptions, type SessionSource } from '../ops/api/session.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** One session with what the agent keeps for it. */
export interface ConfigGeneration {
  /** 1 for the first configuration, then +1 per change of the file. */
  readonly id: number;
  readonly session: Session;
  /** Manifest totals read under this configuration (GetBackups). */
  readonly totals: NodeTotalsCache;
}

/** A generation in use; `release` exactly once. */
export interface ConfigLease {
  readonly generation: ConfigGeneration;
  release(): void;
}

/** What the source needs. */
export interface ConfigSourceOptions {
  /** The configuration file, the face's overrides and the environment. */
  readonly source: SessionSource;
  /** Logger and clock of the sessions. */
  readonly session?: SessionOptions;
  readonly log: Logger;
  /** Called with every session opened, before first use. */
  readonly onOpened?: (session: Session) => void;
  /** Opens a session; default `openSession` (tests wrap it to watch the storage). */
  readonly open?: (source: SessionSource, options: SessionOptions) => Promise<Session>;
}

interface Slot {
  readonly generation: ConfigGeneration;
  readonly text: string;
  leases: number;
  superseded: boolean;
  storageClosed: boolean;
}

/** See the module comment. */
export class ConfigSource {
  private current: Slot | undefined;
  /** A reload in progress: concurrent requests share it. */
  private pending: Promise<Slot> | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ConfigSourceOptions) {}

  /** The path of the configuration file. */
  get filePath(): string {
    return this.options.source.configFile ?? DEFAULT_CONFIG_PATH;
  }

  /** Leases the current generation, loading the file first when its text changed. */
  async lease(): Promise<ConfigLease> {
    if (this.closed) throw new Error('the agent is stopping');
    const slot = await this.currentSlot();
    slot.leases++;
    let released = false;
    return {
      generation: slot.generation,
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        this.closeIfIdle(slot);
      },
    };
  }

  /** Runs `work` under a lease, releasing it in every path. */
  async with<T>(work: (generation: ConfigGeneration) => Promise<T>): Promise<T> {
    const lease = await this.lease();
    try {
      return await work(lease.generation);
    } finally {
      lease.release();
    }
  }

  /** Refuses new leases and closes the current storage once its leases are released. */
  close(): void {
    this.closed = true;
    if (this.current) {
      this.current.superseded = true;
      this.closeIfIdle(this.current);
    }
  }

  private async currentSlot(): Promise<Slot> {
    let text: string | undefined;
    try {
      // Read on every request, so synchronously: a file of a few hundred bytes takes microseconds
      // this way, where the four thread-pool hops of an asynchronous read cost BackupStatus most of its time.
      text = readFileSync(this.filePath, 'utf8');
    } catch {
      // loadConfig reports the unreadable file with the right words.
    }
    if (this.current && text !== undefined && text === this.current.text) return this.current;
    this.pending ??= this.reload(text ?? '').finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** `text` was read before loading: a change racing the load differs from it, so the next request reloads. */
  private async reload(text: string): Promise<Slot> {
    const session = await (this.options.open ?? openSession)(this.options.source, this.options.session ?? {});
    this.options.onOpened?.(session);
    const generation: ConfigGeneration = { id: this.nextId++, session, totals: new NodeTotalsCache() };
    const previous = this.current;
    this.current = { generation, text, leases: 0, superseded: false, storageClosed: false };
    if (previous) {
      this.options.log.info(`Configuration ${this.filePath} changed: using it from now on`);
      previous.superseded = true;
      this.closeIfIdle(previous);
    }
    return this.current;
  }

  private closeIfIdle(slot: Slot): void {
    if (!slot.superseded || slot.leases > 0 || slot.storageClosed) return;
    slot.storageClosed = true;
    slot.generation.session.storage.close().catch((err: unknown) => this.options.log.warning(`Closing the storage of an earlier configuration failed: ${describeError(err)}`));
  }
}
