/**
 * What every operation runs with, built in ONE place for every face (the CLI, the gRPC agent, a
 * Kubernetes restore): the configuration read from its source with the face's overrides, the
 * storage it names with the bucket layout, the logger and the clock. A face opens a session per
 * operation, so a long-running face sees a changed `medusa.ini` at its next operation without a
 * restart. What an operation needs beyond this (backup locks, hash cache, metrics sink, snapshot
 * route, nodetool, SSH executor) its entry point in this folder builds from the session.
 *
 * A face: `withSession(source, (s) => runX(s, request, { signal, progress }))`, then renders or
 * encodes the typed result. Faces never reach past this folder into the ports.
 */
import type { CatalogContext } from '../../catalog/catalog.js';
import { loadConfig } from '../../config/index.js';
import type { ConfigOverrides, MedusaConfig } from '../../config/types.js';
import type { BucketLayout } from '../../layout/keys.js';
import { openStorage } from '../../storage/open.js';
import type { StorageBackend } from '../../storage/types.js';
import type { ProgressReporter } from '../../transfer/progress.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { logger, type Logger } from '../../util/logger.js';
import { configureLoggingFromConfig } from './logging-setup.js';

export type { HostStepState, ProgressReporter, TransferBatch } from '../../transfer/progress.js';

/** Where a session's configuration comes from. */
export interface SessionSource {
  /** The `medusa.ini` to read; default `/etc/medusa/medusa.ini`. */
  readonly configFile?: string;
  /** The face's overrides (the CLI's global options `--bucket-name`, `--fqdn`, ...). */
  readonly overrides?: ConfigOverrides;
  /**
   * The environment: configuration variables, `MEDUSA_CACHE_DIR` (backup locks, hash cache),
   * `MEDUSA_REMOTE_COMMAND`. Default `process.env`.
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** An open session: what every entry point takes first. Valid until its storage is closed. */
export interface Session extends CatalogContext {
  readonly source: SessionSource;
  readonly env: NodeJS.ProcessEnv;
  /** Deeply frozen. */
  readonly config: Readonly<MedusaConfig>;
  readonly storage: StorageBackend;
  readonly layout: BucketLayout;
  readonly log: Logger;
  readonly clock: Clock;
}

/** How a face wants its session built. */
export interface SessionOptions {
  /** Where the operation logs; default the process logger (the CLI passes one that keeps its progress line intact). */
  readonly log?: Logger;
  /** Default the system clock. */
  readonly clock?: Clock;
}

/** Per-call options every entry point accepts. */
export interface RunOptions {
  /**
   * Stops the operation. What "stopped" leaves behind is said by each entry point; a backup, for
   * one, clears its snapshot, releases its lock and is never reported complete.
   */
  readonly signal?: AbortSignal;
  /** Transfer progress (files, bytes); default none. */
  readonly progress?: ProgressReporter;
}

/**
 * Reads and validates the configuration of `source` (its overrides applied), sets up the process
 * logger from its `[logging]` section and secrets, and logs its warnings. Throws `ConfigFileError`
 * or `ConfigError` (exit 2) for an unreadable or invalid configuration.
 */
export async function loadSessionConfig(source: SessionSource, log: Logger = logger): Promise<Readonly<MedusaConfig>> {
  const { config, warnings } = await loadConfig({
    ...(source.configFile !== undefined ? { configFile: source.configFile } : {}),
    ...(source.overrides !== undefined ? { overrides: source.overrides } : {}),
    env: source.env ?? process.env,
  });
  configureLoggingFromConfig(config);
  for (const w of warnings) log.warning(w);
  return config;
}

/** Loads the configuration and opens the storage it names. The caller closes `storage`. */
export async function openSession(source: SessionSource, options: SessionOptions = {}): Promise<Session> {
  const log = options.log ?? logger;
  const config = await loadSessionConfig(source, log);
  const storage = await openStorage(config);
  return {
    source,
    env: source.env ?? process.env,
    config,
    storage,
    layout: { prefix: config.storage.prefix },
    log,
    clock: options.clock ?? systemClock,
  };
}

/** Runs `body` with a fresh session, closing its storage afterwards in every path. */
export async function withSession<T>(source: SessionSource, body: (session: Session) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const session = await openSession(source, options);
  try {
    return await body(session);
  } finally {
    await session.storage.close();
  }
}
