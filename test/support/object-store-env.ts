/**
 * Coordinates of the object-store servers started by test/environments/object-stores.ts, read
 * from the environment, and `[storage]` sections built from ini text through the real config
 * parser (so tests exercise Medusa's defaults, not hand-written ones).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/parse.js';
import type { StorageSection } from '../../src/config/types.js';

/**
 * The value of a variable the object-stores environment sets. Throws (so the test FAILS, never
 * skips) when it is missing: the suite was run without its environment, or a server did not start.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run through \`node --import tsx test/run.ts conformance\`, which starts the object stores`);
  }
  return value;
}

/** A `[storage]` section from `key = value` lines (other sections get their defaults). */
export function storageSection(lines: Record<string, string | number | boolean>): StorageSection {
  const body = Object.entries(lines)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join('\n');
  return parseConfig(`[storage]\n${body}\n`, { defaultFqdn: 'node1.example.com' }).config.storage;
}

let keyFileDir: string | undefined;
let keyFileCount = 0;

/**
 * Writes `content` to a fresh file (for key_file) and returns its path. All of a process's key
 * files share one temporary folder, removed when the process exits.
 */
export function tempKeyFile(name: string, content: string): string {
  if (!keyFileDir) {
    const dir = mkdtempSync(join(tmpdir(), 'medusa-keyfile-'));
    keyFileDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  keyFileCount += 1;
  const folder = join(keyFileDir, String(keyFileCount));
  mkdirSync(folder);
  const path = join(folder, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** An AWS shared-credentials file for the radosgw test user (or the given keys). */
export function s3KeyFile(accessKey = requireEnv('MEDUSA_TEST_S3_ACCESS_KEY'), secretKey = requireEnv('MEDUSA_TEST_S3_SECRET_KEY')): string {
  return tempKeyFile('credentials', `[default]\naws_access_key_id = ${accessKey}\naws_secret_access_key = ${secretKey}\n`);
}

/** The `[storage]` lines of an `s3_rgw` section for the radosgw test server. */
export function radosgwLines(extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  return {
    storage_provider: 's3_rgw',
    bucket_name: requireEnv('MEDUSA_TEST_S3_BUCKET'),
    host: requireEnv('MEDUSA_TEST_S3_HOST'),
    port: requireEnv('MEDUSA_TEST_S3_PORT'),
    secure: false,
    key_file: s3KeyFile(),
    ...extra,
  };
}

/** The `[storage]` lines of an `s3_compatible` section for the MinIO test server. */
export function minioLines(extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  return {
    storage_provider: 's3_compatible',
    bucket_name: requireEnv('MEDUSA_TEST_MINIO_BUCKET'),
    host: requireEnv('MEDUSA_TEST_MINIO_HOST'),
    port: requireEnv('MEDUSA_TEST_MINIO_PORT'),
    secure: false,
    key_file: s3KeyFile(requireEnv('MEDUSA_TEST_MINIO_ACCESS_KEY'), requireEnv('MEDUSA_TEST_MINIO_SECRET_KEY')),
    ...extra,
  };
}

/** A Medusa Azure key file for the azurite account (or the given account and key). */
export function azureKeyFile(account = requireEnv('MEDUSA_TEST_AZURITE_ACCOUNT'), key = requireEnv('MEDUSA_TEST_AZURITE_KEY')): string {
  return tempKeyFile('azure.json', JSON.stringify({ storage_account: account, key }));
}

/** The `[storage]` lines of an `azure_blobs` section for the azurite test server. */
export function azuriteLines(extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  return {
    storage_provider: 'azure_blobs',
    bucket_name: requireEnv('MEDUSA_TEST_AZURITE_CONTAINER'),
    host: requireEnv('MEDUSA_TEST_AZURITE_HOST'),
    port: requireEnv('MEDUSA_TEST_AZURITE_PORT'),
    secure: false,
    key_file: azureKeyFile(),
    ...extra,
  };
}

/** The `[storage]` lines of a `google_storage` section for the fake-gcs-server test server. */
export function fakeGcsLines(extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const endpoint = new URL(requireEnv('MEDUSA_TEST_GCS_ENDPOINT'));
  return {
    storage_provider: 'google_storage',
    bucket_name: requireEnv('MEDUSA_TEST_GCS_BUCKET'),
    host: endpoint.hostname,
    port: endpoint.port,
    secure: endpoint.protocol === 'https:',
    ...extra,
  };
}
