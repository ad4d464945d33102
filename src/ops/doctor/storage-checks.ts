/**
 * doctor's storage checks, in order: the credentials (the store accepts them), the bucket (it
 * exists, and the prefix lists), a probe object under the prefix (written, read back byte for
 * byte, deleted, and gone afterwards), and the clock skew against the store (from the probe's
 * stamp). The probe is the only object doctor ever writes, and it is deleted in every path.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { providerKind } from '../../config/providers.js';
import type { MedusaConfig } from '../../config/types.js';
import { doctorProbeKey, prefixPath } from '../../layout/keys.js';
import { judgeClockSkew } from '../../plan/clock-skew.js';
import { NotFoundError, PermissionError } from '../../storage/errors.js';
import { getBytes } from '../../storage/helpers.js';
import { defaultRecordsRoot } from '../../storage/backends/local.js';
import { openStorage } from '../../storage/open.js';
import type { StorageBackend } from '../../storage/types.js';
import type { Clock } from '../../util/clock.js';
import { ConfigError, describeError } from '../../util/errors.js';
import { fail, ok, skipped, type Outcome } from './types.js';

/** Runs one named check; `run` returns its outcome (doctor.ts times it). */
export type RunCheck = (id: string, title: string, run: () => Promise<Outcome>) => Promise<Outcome>;

function endpointOf(s: MedusaConfig['storage']): string {
  if (s.host) return `${s.secure ? 'https' : 'http'}://${s.host}${s.port ? `:${s.port}` : ''}`;
  return `the ${s.storage_provider} default endpoint`;
}

const CREDENTIALS_FIX = 'check [storage] key_file (or the environment credentials it falls back to): the key must be valid for this store and allowed to list, write, read and delete in the bucket';

/** The storage checks; returns the opened storage for later use (the caller closes it), or undefined. */
export async function storageChecks(config: MedusaConfig, clock: Clock, check: RunCheck): Promise<StorageBackend | undefined> {
  const s = config.storage;
  const local = providerKind(s.storage_provider) === 'local';
  const layout = { prefix: s.prefix };
  const where = `${s.storage_provider} bucket ${s.bucket_name}${s.prefix ? ` (prefix ${s.prefix})` : ''}`;
  let storage: StorageBackend | undefined;
  let bucketMissing = false;
  let firstListing: string | undefined;

  const credentials = await check('storage-credentials', 'storage credentials', async () => {
    // The local store creates its folders when opened: it is opened after the bucket check.
    if (local) return ok('local storage needs none');
    try {
      // One attempt per request: doctor reports a failure, it does not wait it out.
      storage = await openStorage(config, { clock, retry: { maxAttempts: 1 } });
    } catch (err) {
      if (err instanceof ConfigError) return fail(describeError(err), configFix(err));
      throw err;
    }
    try {
      let n = 0;
      for await (const o of storage.list(prefixPath(layout))) {
        n++;
        firstListing ??= o.key;
        break;
      }
      firstListing = n === 0 ? '' : firstListing;
      return ok(`${endpointOf(s)} accepted them`);
    } catch (err) {
      if (err instanceof PermissionError) return fail(describeError(err), CREDENTIALS_FIX);
      if (err instanceof NotFoundError) {
        bucketMissing = true;
        return ok(`${endpointOf(s)} accepted them`);
      }
      return fail(`cannot reach ${endpointOf(s)}: ${describeError(err)}`, 'check [storage] host, port and secure, and that this machine reaches the store (firewall, proxy, DNS)');
    }
  });
  if (credentials.status !== 'ok' || (!local && !storage)) {
    for (const [id, title] of BUCKET_CHECKS) await check(id, title, () => Promise.resolve(skipped('needs working storage credentials')));
    return storage;
  }
  let created: string[] = [];

  const bucket = await check('bucket', 'bucket exists and lists', async () => {
    if (local) {
      const folder = join(s.base_path ?? '', s.bucket_name);
      const plan = await localBucketPlan(folder);
      if (plan.problem) return fail(plan.problem, `make ${folder} a folder the user running medusa can write (mkdir -p), or fix [storage] base_path / bucket_name`);
      // The store also keeps the MD5 of what it writes beside the bucket folder (local-hash-records.ts).
      const records = await localBucketPlan(defaultRecordsRoot(s.base_path ?? '', s.bucket_name));
      created = [...new Set([...plan.missing, ...records.missing])].sort();
      return ok(plan.missing.length === 0 ? `${folder} is a writable folder` : `${folder} does not exist yet; the first backup creates it`);
    }
    if (bucketMissing) return fail(`${where}: the bucket does not exist`, `create the bucket ${s.bucket_name} or fix [storage] bucket_name`);
    return ok(`${where} lists${firstListing === '' ? ' (empty under the prefix)' : ''}`);
  });
  if (bucket.status !== 'ok') {
    for (const [id, title] of BUCKET_CHECKS.slice(1)) await check(id, title, () => Promise.resolve(skipped('needs the bucket')));
    return storage;
  }
  if (!storage) {
    try {
      storage = await openStorage(config, { clock, retry: { maxAttempts: 1 } });
    } catch (err) {
      await check('bucket-probe', 'probe object write/read/delete', () => Promise.resolve(fail(describeError(err), err instanceof ConfigError ? configFix(err) : 'check that the user running medusa may create files in the bucket folder')));
      await check('clock-skew', 'clock skew against the store', () => Promise.resolve(skipped('needs the probe object')));
      return undefined;
    }
  }
  const store = storage;

  let stamp: { sentAt: number; answeredAt: number; storedAt: number } | undefined;
  await check('bucket-probe', 'probe object write/read/delete', async () => {
    const key = doctorProbeKey(layout, randomBytes(8).toString('hex'));
    const content = randomBytes(256);
    let step = 'write';
    try {
      const sentAt = clock.now();
      const info = await store.put(key, { kind: 'bytes', data: content });
      stamp = { sentAt, answeredAt: clock.now(), storedAt: info.lastModified.getTime() };
      step = 'read';
      const back = await getBytes(store, key);
      if (!back.equals(content)) return fail(`${key} read back ${back.length} bytes that differ from the ${content.length} written`, 'the store or a proxy alters objects: check the endpoint and any gateway in between');
      step = 'delete';
      await store.delete(key);
      if (await store.stat(key)) return fail(`${key} is still there after its delete`, 'check that the key may delete objects (purge needs it) and the bucket has no object lock or versioning hold');
      return ok(`${key} written, read back and deleted`);
    } catch (err) {
      await store.delete(key).catch(() => undefined);
      const fix = err instanceof PermissionError ? `allow the key to ${step} objects under the prefix (backups need write, read and delete)` : `check the store's health and the [storage] settings; the ${step} failed`;
      return fail(`${step} of ${key} failed: ${describeError(err)}`, fix);
    }
  });

  // Leave a local bucket as it was: folders the store made for the probe go again (deepest first, if
  // empty; sorted paths put a folder before its sub-folders, so the reverse order is bottom up).
  for (const dir of [...created].reverse()) await rmdir(dir).catch(() => undefined);

  await check('clock-skew', 'clock skew against the store', () => {
    if (!stamp) return Promise.resolve(skipped('needs the probe object'));
    const skew = judgeClockSkew(stamp.sentAt, stamp.answeredAt, stamp.storedAt);
    const text = skew.skewMs === 0 ? 'none measurable' : `${(skew.skewMs / 1000).toFixed(1)} s (store ${skew.skewMs > 0 ? 'ahead' : 'behind'})`;
    return Promise.resolve(skew.ok ? ok(text) : fail(text, 'synchronise this machine\'s clock (chrony or systemd-timesyncd); signed requests and purge ages depend on it'));
  });
  return store;
}

const BUCKET_CHECKS: readonly (readonly [string, string])[] = [
  ['bucket', 'bucket exists and lists'],
  ['bucket-probe', 'probe object write/read/delete'],
  ['clock-skew', 'clock skew against the store'],
];

/**
 * Whether a local bucket folder can be used: it is a writable folder, or it is missing (`missing`
 * lists the folders the store would create, top down) below a writable folder. `problem` otherwise.
 */
async function localBucketPlan(folder: string): Promise<{ missing: string[]; problem?: string }> {
  const missing: string[] = [];
  let dir = folder;
  for (;;) {
    const st = await stat(dir).catch(() => undefined);
    if (st) {
      if (!st.isDirectory()) return { missing, problem: `${dir} is not a folder` };
      const writable = await access(dir, constants.W_OK | constants.X_OK).then(() => true, () => false);
      return writable ? { missing } : { missing, problem: `${dir} is not writable` };
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) return { missing, problem: `no folder of ${folder} exists` };
    dir = parent;
  }
}

/** The fix of a configuration refused by a backend: the keys it names. */
function configFix(err: ConfigError): string {
  const keys = [...new Set(err.problems.map((p) => (p.key ? `[${p.section}] ${p.key}` : `[${p.section}]`)))];
  return `fix ${keys.join(', ')} (a key file must exist and be readable by the user running medusa)`;
}
