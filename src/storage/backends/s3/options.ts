/**
 * `[storage]` → settings of the S3 family (`s3` and legacy `s3_<region>` names, `s3_compatible`,
 * `s3_rgw`, `ibm_storage`). Pure, apart from `readSharedCredentials`, so every mapping rule is
 * table-tested without a server.
 */
import { parse as parseIni } from 'ini';
import type { StorageSection } from '../../../config/types.js';
import { resolveRegion } from '../../../config/providers.js';
import { ConfigError } from '../../../util/errors.js';
import { readKeyFile } from '../key-file.js';

/** Smallest part S3 accepts (every part but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Most parts one multipart upload may have. */
export const MAX_PARTS = 10_000;

/** Static credentials read from a key file. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Everything the S3 backend needs, resolved from the configuration. */
export interface S3Settings {
  readonly provider: string;
  readonly bucket: string;
  readonly region: string;
  /** `<http|https>://host[:port]` for S3-compatible stores; `undefined` for AWS. */
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  /** Verify the server's TLS certificate (always for AWS; `ssl_verify` for compatible stores). */
  readonly tlsVerify: boolean;
  /** `key_file`: an AWS shared-credentials ini file; `undefined` → the SDK's default chain. */
  readonly keyFile?: string;
  /** Profile (section) of the key file or of the default chain; `undefined` → `default`. */
  readonly profile?: string;
  readonly kmsKeyId?: string;
  /** Base64 of the 32-byte SSE-C key (a secret: never in messages). */
  readonly sseCustomerKey?: string;
  readonly storageClass?: string;
  /** Socket inactivity limit per request, milliseconds. */
  readonly readTimeoutMs: number;
  readonly multipartThreshold: number;
  readonly partSize: number;
  readonly partConcurrency: number;
  /** Sockets the client may keep open: every part of every file in flight, plus slack for metadata. */
  readonly maxSockets: number;
}

/** botocore's default read timeout, used when `read_timeout` is unset. */
const DEFAULT_READ_TIMEOUT_MS = 60_000;

/** Provider names whose endpoint comes from `host`/`port`/`secure` (design §2.6: all three). */
const COMPATIBLE = new Set(['s3_compatible', 's3_rgw', 'ibm_storage']);

/**
 * Resolves the S3 settings of a `[storage]` section. Throws one `ConfigError` listing every
 * unusable key (region, host, sse_c_key, sizes).
 */
export function s3SettingsFrom(storage: Readonly<StorageSection>): S3Settings {
  const problems: { section: string; key: string; message: string }[] = [];
  const provider = storage.storage_provider;
  const region = resolveRegion(provider, storage.region);
  if (!region.ok) problems.push({ section: 'storage', key: 'region', message: region.message });
  const compatible = COMPATIBLE.has(provider.toLowerCase());
  let endpoint: string | undefined;
  if (compatible) {
    if (!storage.host) problems.push({ section: 'storage', key: 'host', message: `is required with storage_provider = ${provider}` });
    else endpoint = endpointUrl(storage.host, storage.port, storage.secure);
  }
  const sseCustomerKey = storage.sse_c_key;
  if (sseCustomerKey !== undefined && !isSseCustomerKey(sseCustomerKey)) {
    problems.push({ section: 'storage', key: 'sse_c_key', message: 'must be the base64 encoding of a 32-byte key (value not shown)' });
  }
  if (!(storage.multipart_chunksize >= MIN_PART_SIZE)) {
    problems.push({ section: 'storage', key: 'multipart_chunksize', message: `must be at least 5MB for S3 (got ${storage.multipart_chunksize} bytes)` });
  }
  if (!(storage.multipart_max_concurrency >= 1)) {
    problems.push({ section: 'storage', key: 'multipart_max_concurrency', message: 'must be at least 1' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    provider,
    bucket: storage.bucket_name,
    region: region.ok ? region.region : 'us-east-1',
    ...(endpoint !== undefined && { endpoint }),
    forcePathStyle: pathStyle(storage.s3_addressing_style, endpoint !== undefined),
    tlsVerify: compatible ? storage.ssl_verify : true,
    ...(storage.key_file && { keyFile: storage.key_file }),
    ...(storage.api_profile && { profile: storage.api_profile }),
    ...(storage.kms_id && { kmsKeyId: storage.kms_id }),
    ...(sseCustomerKey !== undefined && { sseCustomerKey }),
    ...(storage.storage_class && { storageClass: storage.storage_class }),
    readTimeoutMs: storage.read_timeout ? storage.read_timeout * 1000 : DEFAULT_READ_TIMEOUT_MS,
    multipartThreshold: storage.multi_part_upload_threshold,
    partSize: storage.multipart_chunksize,
    partConcurrency: storage.multipart_max_concurrency,
    maxSockets: Math.max(1, storage.concurrent_transfers) * storage.multipart_max_concurrency + 10,
  };
}

/** `<http|https>://host[:port]` (IPv6 literals bracketed); `host` may already carry a scheme. */
export function endpointUrl(host: string, port: number | undefined, secure: boolean): string {
  if (/^https?:\/\//i.test(host)) return port === undefined ? host.replace(/\/+$/, '') : `${host.replace(/\/+$/, '')}:${port}`;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${secure ? 'https' : 'http'}://${bracketed}${port === undefined ? '' : `:${port}`}`;
}

/**
 * `path` → path-style; `virtual` → virtual-hosted; `auto` → path-style for a custom endpoint
 * (as botocore, which only rewrites AWS hosts to virtual style, and because an IP endpoint has no
 * bucket sub-domains) and the SDK's choice for AWS.
 */
export function pathStyle(style: StorageSection['s3_addressing_style'], customEndpoint: boolean): boolean {
  if (style === 'path') return true;
  if (style === 'virtual') return false;
  return customEndpoint;
}

function isSseCustomerKey(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

/**
 * Part size for a file of `size` bytes: the configured size, doubled until the upload fits in
 * 10,000 parts (what boto3 does, so a 500 GB SSTable still uploads with the default 50MB).
 */
export function partSizeFor(size: number, configured: number): number {
  let partSize = Math.max(configured, MIN_PART_SIZE);
  while (Math.ceil(size / partSize) > MAX_PARTS) partSize *= 2;
  return partSize;
}

/**
 * The credentials of `profile` (default `default`) in an AWS shared-credentials ini text.
 * Returns a problem description instead of throwing, so callers name the file.
 */
export function parseSharedCredentials(text: string, profile = 'default'): StaticCredentials | string {
  let sections: Record<string, unknown>;
  try {
    sections = parseIni(text);
  } catch {
    return 'is not an ini file';
  }
  const section = (sections[profile] ?? sections[`profile ${profile}`]) as Record<string, unknown> | undefined;
  if (!section || typeof section !== 'object') return `has no [${profile}] section`;
  const id = section['aws_access_key_id'];
  const secret = section['aws_secret_access_key'];
  const token = section['aws_session_token'];
  if (typeof id !== 'string' || id === '' || typeof secret !== 'string' || secret === '') {
    return `section [${profile}] lacks aws_access_key_id or aws_secret_access_key`;
  }
  return { accessKeyId: id, secretAccessKey: secret, ...(typeof token === 'string' && token !== '' && { sessionToken: token }) };
}

/** Reads the key file; a missing or malformed file is a `ConfigError` on `[storage] key_file`. */
export function readSharedCredentials(provider: string, path: string, profile?: string): Promise<StaticCredentials> {
  return readKeyFile(provider, path, (text) => parseSharedCredentials(text, profile), 'expected an AWS credentials file');
}
