/**
 * The agent's configuration, re-read between requests (design §5: a changed `medusa.ini` is
 * picked up without a restart, where Medusa's entrypoint restarts the container).
 *
 * Every request leases the current generation: the loaded configuration and the storage opened
 * for it. Before a lease, the file's text is compared with the text the current generation was
 * loaded from; when it changed, the file is loaded afresh and a new generation opened. A running
 * backup keeps the generation it started with until it ends; a superseded generation's storage is
 * closed once its last lease is released.
 *
 * A file that no longer loads (missing, or a wrong key) fails the requests with the configuration
 * error, naming the file and key; nothing runs on the old settings the operator meant to replace.
 * The next request tries again.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig, type LoadOptions } from '../config/index.js';
import type { MedusaConfig } from '../config/types.js';
import type { BucketLayout } from '../layout/keys.js';
import type { StorageBackend } from '../storage/types.js';
import { NodeTotalsCache } from '../catalog/node-totals.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** One loaded configuration with what was opened for it. */
export interface ConfigGeneration {
  /** 1 for the first configuration, then +1 per change of the file. */
  readonly id: number;
  readonly config: Readonly<MedusaConfig>;
  readonly storage: StorageBackend;
  readonly layout: BucketLayout;
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
  /** How to load: file, command-line overrides, environment (as `loadConfig`). */
  readonly load: LoadOptions;
  readonly openStorage: (config: Readonly<MedusaConfig>) => Promise<StorageBackend>;
  readonly log: Logger;
  /** Called with every configuration loaded, before first use (logging setup, warnings). */
  readonly onLoaded?: (loaded: LoadedConfig) => void;
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
    return this.options.load.configFile ?? DEFAULT_CONFIG_PATH;
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
      text = await readFile(this.filePath, 'utf8');
    } catch {
      // loadConfig reports the unreadable file with the right words.
    }
    if (this.current && text !== undefined && text === this.current.text) return this.current;
    this.pending ??= this.reload(text ?? '').finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** `text` was read before loading: a change racing the load differs from it, so the next request reloads. */
  private async reload(text: string): Promise<Slot> {
    const loaded = await loadConfig(this.options.load);
    this.options.onLoaded?.(loaded);
    const storage = await this.options.openStorage(loaded.config);
    const generation: ConfigGeneration = {
      id: this.nextId++,
      config: loaded.config,
      storage,
      layout: { prefix: loaded.config.storage.prefix },
      totals: new NodeTotalsCache(),
    };
    const previous = this.current;
    this.current = { generation, text, leases: 0, superseded: false, storageClosed: false };
    if (previous) {
      this.options.log.info(`Configuration ${loaded.filePath} changed: using it from now on`);
      previous.superseded = true;
      this.closeIfIdle(previous);
    }
    return this.current;
  }

  private closeIfIdle(slot: Slot): void {
    if (!slot.superseded || slot.leases > 0 || slot.storageClosed) return;
    slot.storageClosed = true;
    slot.generation.storage.close().catch((err: unknown) => this.options.log.warning(`Closing the storage of an earlier configuration failed: ${describeError(err)}`));
  }
}
