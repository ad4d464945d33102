/**
 * Rules that involve more than one key or the meaning of a value: provider and region, required
 * provider options, names that would break the bucket layout or escape a folder (design §4), and
 * the S3 encryption options. Runs on the typed draft, fixes up normalised values in place
 * (provider lower-cased, region resolved, storage class upper-cased) and reports every problem.
 */
import type { ConfigProblem } from '../util/errors.js';
import { isS3Family, PROVIDER_NAMES, providerKind, resolveRegion } from './providers.js';
import type { StorageSection } from './types.js';

/** Messages found by {@link validateStorage}. */
export interface ValidationReport {
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
}

/** A name that is a whole path segment in the bucket or on disk: no `/`, not `.` or `..`. */
function segmentProblem(value: string): string | undefined {
  if (value.includes('/')) return 'must not contain "/"';
  if (value === '.' || value === '..') return `must not be "${value}"`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters';
  return undefined;
}

function checkNames(storage: StorageSection, problems: ConfigProblem[]): void {
  for (const key of ['bucket_name', 'prefix'] as const) {
    const value = storage[key];
    if (value === undefined || value === '') continue;
    const problem = segmentProblem(value);
    if (problem) problems.push({ section: 'storage', key, message: problem });
  }
  // fqdn may be a comma-separated list of source nodes (sstableloader restores): check each one.
  if (storage.fqdn !== '') {
    for (const name of storage.fqdn.split(',')) {
      const problem = segmentProblem(name.trim());
      if (problem) {
        problems.push({ section: 'storage', key: 'fqdn', message: `${JSON.stringify(name.trim())} ${problem}` });
      }
    }
  }
}

function checkEncryption(storage: StorageSection, problems: ConfigProblem[]): void {
  if (storage.sse_c_key !== undefined) {
    // Never quote the key: it is a secret.
    const valid = /^[A-Za-z0-9+/]+={0,2}$/.test(storage.sse_c_key) && Buffer.from(storage.sse_c_key, 'base64').length === 32;
    if (!valid) problems.push({ section: 'storage', key: 'sse_c_key', message: 'must be the base64 encoding of a 32-byte key' });
    if (storage.kms_id !== undefined) {
      problems.push({ section: 'storage', key: 'sse_c_key', message: 'cannot be used together with kms_id (S3 accepts one encryption mode)' });
    }
  }
}

/**
 * Checks and normalises `[storage]`. Required keys and value types were checked before; this
 * skips rules whose inputs were already reported missing or invalid.
 */
export function validateStorage(storage: StorageSection, report: ValidationReport): void {
  const { problems, warnings } = report;
  checkNames(storage, problems);
  if (storage.host_file_separator === '') {
    problems.push({ section: 'storage', key: 'host_file_separator', message: 'must not be empty' });
  }
  if (storage.storage_class !== undefined) storage.storage_class = storage.storage_class.toUpperCase();
  if (storage.storage_provider === undefined || storage.storage_provider === '') return;

  const kind = providerKind(storage.storage_provider);
  if (kind === undefined) {
    problems.push({
      section: 'storage',
      key: 'storage_provider',
      message: `${JSON.stringify(storage.storage_provider)} is not a storage provider; use one of ${PROVIDER_NAMES.join(', ')} (or a legacy s3_<region> name)`,
    });
    return;
  }
  storage.storage_provider = storage.storage_provider.toLowerCase();
  if (kind === 'local' && (storage.base_path === undefined || storage.base_path === '')) {
    problems.push({ section: 'storage', key: 'base_path', message: 'is required with storage_provider = local' });
  }
  if (!isS3Family(kind)) return;
  const region = resolveRegion(storage.storage_provider, storage.region);
  if (region.ok) storage.region = region.region;
  else problems.push({ section: 'storage', key: 'region', message: region.message });
  if (kind === 's3_compatible' && storage.host === undefined) {
    problems.push({ section: 'storage', key: 'host', message: 'is required with storage_provider = s3_compatible' });
  }
  if ((kind === 's3_rgw' || kind === 'ibm_storage') && storage.host === undefined) {
    warnings.push(`[storage] host: not set, so storage_provider = ${kind} will use the AWS S3 endpoint`);
  }
  checkEncryption(storage, problems);
}
