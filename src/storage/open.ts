/**
 * The ONE place a storage backend is assembled from the configuration:
 * raw backend (registry) → bandwidth throttle → logging (when a log is given) → per-object retry.
 * Retry is outermost so that each attempt is throttled, metered and logged afresh.
 */
import type { MedusaConfig } from '../config/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { TokenBucket } from '../transfer/token-bucket.js';
import { backendFamilyOf, loadBackendModule, type BackendFamily } from './registry.js';
import type { StorageBackend } from './types.js';
import { withRetry } from './wrappers/with-retry.js';
import type { RetryEvent, RetryOptions } from './wrappers/retry-policy.js';
import { withThrottle } from './wrappers/with-throttle.js';
import { withLogging, type StorageLog } from './wrappers/with-logging.js';

/** What `openStorage` takes besides the configuration (tests inject clock, budget and retry settings). */
export interface OpenStorageOptions {
  readonly clock?: Clock;
  /** The bandwidth budget to share; default the process-wide one (see `processBandwidth`). */
  readonly bandwidth?: TokenBucket;
  /** Retry settings; default `RetryPolicy`'s. */
  readonly retry?: RetryOptions;
  /** Where retries (WARNING) and, at DEBUG, every storage operation are logged; none by default. */
  readonly log?: StorageLog;
}

let processBucket: TokenBucket | undefined;

/**
 * The process-wide budget, created on first use and set to `bytesPerSecond` (the latest configured
 * value wins, so every backend opened in this process shares one limit).
 */
export function processBandwidth(bytesPerSecond: number, clock: Clock = systemClock): TokenBucket {
  if (!processBucket) processBucket = new TokenBucket({ bytesPerSecond, clock });
  else processBucket.setRate(bytesPerSecond);
  return processBucket;
}

/**
 * Whether `transfer_max_bandwidth` limits a provider family. It limits network traffic: every
 * object store. The local provider copies disk to disk, where Medusa never throttled, and
 * `transfer_max_bandwidth` defaults to 50 MB/s, which would make local backups ten times slower
 * than the disk for users who never asked for a limit.
 */
export function bandwidthAppliesTo(family: BackendFamily): boolean {
  return family !== 'local';
}

/**
 * Opens the storage `config.storage` describes, wrapped for production use. The caller closes it.
 * Throws `ConfigError` for an unknown or unavailable provider or unusable provider settings.
 */
export async function openStorage(config: Pick<MedusaConfig, 'storage'>, options: OpenStorageOptions = {}): Promise<StorageBackend> {
  const clock = options.clock ?? systemClock;
  const storage = config.storage;
  const module = await loadBackendModule(storage.storage_provider);
  let backend = await module.createBackend(storage, { clock });
  const family = backendFamilyOf(storage.storage_provider);
  if (family && bandwidthAppliesTo(family) && storage.transfer_max_bandwidth > 0) {
    backend = withThrottle(backend, options.bandwidth ?? processBandwidth(storage.transfer_max_bandwidth, clock));
  }
  const log = options.log;
  if (log) backend = withLogging(backend, log, clock);
  const onRetry = log
    ? (e: RetryEvent) => log.warning(`${storage.storage_provider}: ${e.operation} ${e.target} failed (attempt ${e.attempt}), retrying in ${(e.delayMs / 1000).toFixed(1)} s: ${e.error.message}`)
    : undefined;
  return withRetry(backend, { clock, ...(onRetry ? { onRetry } : {}), ...options.retry });
}
