/**
 * `storage_provider` → backend module, loaded on demand: an S3 user never loads the Azure or GCS
 * SDK, and nothing is imported at start-up.
 *
 * Adding a backend is one line in `LOADERS` (the provider names that map to it are already known):
 *   s3: () => import('./backends/s3/index.js'),
 */
import type { StorageSection } from '../config/types.js';
import type { Clock } from '../util/clock.js';
import { ConfigError } from '../util/errors.js';
import type { StorageBackend } from './types.js';

/** What a backend module receives besides its `[storage]` section. */
export interface BackendContext {
  readonly clock: Clock;
}

/** What every backend module exports (`src/storage/backends/<name>.ts` or `<name>/index.ts`). */
export interface BackendModule {
  /**
   * Builds the raw backend (no retry, no throttle: `open.ts` adds those). Reports unusable
   * settings as `ConfigError` naming the `[storage]` key.
   */
  createBackend(storage: Readonly<StorageSection>, context: BackendContext): Promise<StorageBackend>;
}

/** The backend families; several provider names share one. */
export type BackendFamily = 'local' | 's3' | 'gcs' | 'azure';

const LOADERS: Partial<Record<BackendFamily, () => Promise<BackendModule>>> = {
  local: () => import('./backends/local.js'),
  s3: () => import('./backends/s3/index.js'),
  azure: () => import('./backends/azure/index.js'),
  gcs: () => import('./backends/gcs/index.js'),
};

/**
 * The family serving a `storage_provider` value (reference §2.1): `local`; `google_storage`;
 * `azure_blobs`; `s3`, any name starting with `s3` (`s3_compatible`, `s3_rgw`, legacy
 * `s3_us_west_oregon`...) and `ibm_storage` → S3. `undefined` for an unknown name.
 */
export function backendFamilyOf(provider: string): BackendFamily | undefined {
  if (provider === 'local') return 'local';
  if (provider === 'google_storage') return 'gcs';
  if (provider === 'azure_blobs') return 'azure';
  if (provider.startsWith('s3') || provider === 'ibm_storage') return 's3';
  return undefined;
}

/**
 * Loads the module serving `provider`. Throws `ConfigError` on `[storage] storage_provider` for an
 * unknown name or a family this build does not include yet.
 */
export async function loadBackendModule(provider: string): Promise<BackendModule> {
  const family = backendFamilyOf(provider);
  if (!family) {
    throw new ConfigError([{ section: 'storage', key: 'storage_provider', message: `unknown provider ${JSON.stringify(provider)} (expected local, s3, s3_compatible, s3_rgw, ibm_storage, google_storage or azure_blobs)` }]);
  }
  const load = LOADERS[family];
  if (!load) {
    throw new ConfigError([{ section: 'storage', key: 'storage_provider', message: `provider ${JSON.stringify(provider)} is not available in this build` }]);
  }
  return load();
}
