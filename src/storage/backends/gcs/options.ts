/**
 * `[storage]` → settings of the `google_storage` backend. Pure, apart from `readServiceAccountKey`.
 *
 * Credentials (reference §2.1): `key_file` is a service-account JSON key; without it the client
 * uses Application Default Credentials (attached service account, gcloud, GOOGLE_APPLICATION_CREDENTIALS).
 * Endpoint: Google's by default. `host` (with `port`/`secure`) or the `STORAGE_EMULATOR_HOST`
 * variable Medusa's GCS client honours point it elsewhere (an emulator, a private endpoint).
 */
import type { StorageSection } from '../../../config/types.js';
import { readKeyFile } from '../key-file.js';

/** Resumable upload chunks must be multiples of 256 KiB. */
const CHUNK_UNIT = 256 * 1024;

/** The fields of a service-account key the client needs (a secret as a whole). */
export interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly project_id?: string;
  readonly [field: string]: unknown;
}

export interface GcsSettings {
  readonly provider: string;
  readonly bucket: string;
  readonly keyFile?: string;
  /** `<http|https>://host[:port]`, or `undefined` for Google's endpoint (or STORAGE_EMULATOR_HOST). */
  readonly apiEndpoint?: string;
  readonly timeoutMs: number;
  /** Uploads of this size or more are resumable (chunked, each chunk retried alone). */
  readonly resumableThreshold: number;
  readonly chunkSize: number;
}

/** The client's request timeout when `read_timeout` is unset (as botocore's read timeout). */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Resolves the GCS settings from a `[storage]` section and the environment. */
export function gcsSettingsFrom(storage: Readonly<StorageSection>, env: NodeJS.ProcessEnv = process.env): GcsSettings {
  const emulator = env['STORAGE_EMULATOR_HOST'];
  let apiEndpoint: string | undefined;
  if (storage.host) {
    const scheme = /^https?:\/\//i.test(storage.host) ? '' : storage.secure ? 'https://' : 'http://';
    apiEndpoint = `${scheme}${storage.host.replace(/\/+$/, '')}${storage.port === undefined ? '' : `:${storage.port}`}`;
  } else if (emulator) {
    apiEndpoint = /^https?:\/\//i.test(emulator) ? emulator : `http://${emulator}`;
  }
  return {
    provider: storage.storage_provider,
    bucket: storage.bucket_name,
    ...(storage.key_file && { keyFile: storage.key_file }),
    ...(apiEndpoint !== undefined && { apiEndpoint }),
    timeoutMs: storage.read_timeout ? storage.read_timeout * 1000 : DEFAULT_TIMEOUT_MS,
    resumableThreshold: storage.multi_part_upload_threshold,
    chunkSize: Math.max(CHUNK_UNIT, Math.ceil(storage.multipart_chunksize / CHUNK_UNIT) * CHUNK_UNIT),
  };
}

/** Checks a service-account key's shape; returns a problem description instead of throwing. */
export function parseServiceAccountKey(text: string): ServiceAccountKey | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const record = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof record['client_email'] !== 'string' || typeof record['private_key'] !== 'string') {
    return 'is not a service-account key (no "client_email" / "private_key")';
  }
  return record as ServiceAccountKey;
}

/** Reads the key file; missing or malformed → `ConfigError` on `[storage] key_file`. */
export function readServiceAccountKey(provider: string, path: string): Promise<ServiceAccountKey> {
  return readKeyFile(provider, path, parseServiceAccountKey);
}
