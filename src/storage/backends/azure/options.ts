/**
 * `[storage]` → settings of the `azure_blobs` backend. Pure, apart from `readAzureKeyFile`.
 * Which credential and which account: `auth.ts`.
 *
 * Endpoint (reference §2.1): Medusa builds `https://<account>.blob.core.<host|windows.net>[:port]/`.
 * We keep that, and add one case Medusa lacks: when `host` is an IP address or `localhost`
 * (azurite, or an on-premises emulator) the account goes in the path instead of the host name:
 * `<http|https per secure>://host:port/<account>`.
 */
import { isIP } from 'node:net';
import type { StorageSection } from '../../../config/types.js';
import { ConfigError, type ConfigProblem } from '../../../util/errors.js';
import { readKeyFile } from '../key-file.js';
import { azureAuthFrom, isAuthProblem, type AzureAuth } from './auth.js';

/** Most blocks one block blob may have. */
export const MAX_BLOCKS = 50_000;
/** Largest block the service accepts (4,000 MiB). */
export const MAX_BLOCK_SIZE = 4000 * 1024 * 1024;

/** The account and key of a Medusa Azure key file. */
export interface AzureAccountKey {
  readonly account: string;
  /** Secret: never in messages. */
  readonly key: string;
}

export interface AzureSettings {
  readonly provider: string;
  readonly container: string;
  /** Shared Key from `key_file`, or `DefaultAzureCredential` for the account in AZURE_STORAGE_ACCOUNT. */
  readonly auth: AzureAuth;
  /** Access tier for new blobs (`Hot`, `Cool`, `Cold`, `Archive`), from `storage_class`. */
  readonly tier?: string;
  /** Per-try timeout, milliseconds; `undefined` → the SDK default. */
  readonly tryTimeoutMs?: number;
  /** Blobs of this size or more are uploaded in staged blocks; smaller ones in one request. */
  readonly singlePutLimit: number;
  readonly blockSize: number;
  readonly blockConcurrency: number;
  readonly host?: string;
  readonly port?: number;
  readonly secure: boolean;
}

/**
 * Resolves the Azure settings from `[storage]` and `env` (the process environment, for
 * AZURE_STORAGE_ACCOUNT); unusable keys are one `ConfigError`.
 */
export function azureSettingsFrom(storage: Readonly<StorageSection>, env: NodeJS.ProcessEnv = process.env): AzureSettings {
  const problems: ConfigProblem[] = [];
  const auth = azureAuthFrom(storage, env);
  if (isAuthProblem(auth)) problems.push(auth);
  if (!(storage.multipart_chunksize > 0 && storage.multipart_chunksize <= MAX_BLOCK_SIZE)) {
    problems.push({ section: 'storage', key: 'multipart_chunksize', message: `must be between 1 byte and 4000MB for Azure (got ${storage.multipart_chunksize})` });
  }
  if (problems.length > 0 || isAuthProblem(auth)) throw new ConfigError(problems);
  return {
    provider: storage.storage_provider,
    container: storage.bucket_name,
    auth,
    ...(storage.storage_class && { tier: tierName(storage.storage_class) }),
    ...(storage.read_timeout && { tryTimeoutMs: storage.read_timeout * 1000 }),
    singlePutLimit: Math.max(1, storage.multi_part_upload_threshold),
    blockSize: storage.multipart_chunksize,
    blockConcurrency: Math.max(1, storage.multipart_max_concurrency),
    ...(storage.host && { host: storage.host }),
    ...(storage.port !== undefined && { port: storage.port }),
    secure: storage.secure,
  };
}

/** `HOT` → `Hot` (the config upper-cases `storage_class`; the service wants this form). */
export function tierName(storageClass: string): string {
  const lower = storageClass.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** The service URL for `account` (see the module comment). */
export function accountUrl(settings: Pick<AzureSettings, 'host' | 'port' | 'secure'>, account: string): string {
  const { host, port } = settings;
  if (host && (isIP(host) !== 0 || host === 'localhost')) {
    const bracketed = isIP(host) === 6 ? `[${host}]` : host;
    return `${settings.secure ? 'https' : 'http'}://${bracketed}${port === undefined ? '' : `:${port}`}/${account}`;
  }
  return `https://${account}.blob.core.${host ?? 'windows.net'}${port === undefined ? '' : `:${port}`}/`;
}

/**
 * Block size for a blob of `size` bytes: the configured size, raised (in whole MiB) when needed so
 * the blob fits in 50,000 blocks; with the default 50MB a 500 GB SSTable uses ~10,000 blocks.
 */
export function blockSizeFor(size: number, configured: number): number {
  const needed = Math.ceil(size / MAX_BLOCKS);
  if (needed <= configured) return configured;
  const MiB = 1024 * 1024;
  return Math.min(MAX_BLOCK_SIZE, Math.ceil(needed / MiB) * MiB);
}

/** Parses a Medusa Azure key file; returns a problem description instead of throwing. */
export function parseAzureKeyFile(text: string): AzureAccountKey | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const record = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const account = record['storage_account'];
  const key = record['key'];
  if (typeof account !== 'string' || account === '' || typeof key !== 'string' || key === '') {
    return 'lacks "storage_account" or "key"';
  }
  return { account, key };
}

/** Reads the key file; missing or malformed → `ConfigError` on `[storage] key_file`. */
export function readAzureKeyFile(provider: string, path: string): Promise<AzureAccountKey> {
  return readKeyFile(provider, path, parseAzureKeyFile, 'expected {"storage_account": ..., "key": ...}');
}
