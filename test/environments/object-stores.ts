/**
 * Test environment `object-stores`: the real (or, for GCS, emulated) object stores the conformance
 * and Cassandra groups run against, each on free ports of 127.0.0.1, installed idempotently:
 * - radosgw (Ceph, Debian packages): S3 for `s3_compatible` / `s3_rgw`;
 * - azurite (npm devDependency): Azure Blob for `azure_blobs`;
 * - fake-gcs-server (`go install`): GCS for `google_storage`;
 * - MinIO (`go install`): a second S3 implementation for `s3_compatible`.
 * Each gets one empty bucket. A server that does not start fails `up` (and so the run); `down`
 * stops whatever did start.
 *
 * Variables handed to tests:
 *   MEDUSA_TEST_S3_ENDPOINT, _HOST, _PORT, _ACCESS_KEY, _SECRET_KEY, _BUCKET, _REGION
 *   MEDUSA_TEST_AZURITE_ENDPOINT, _HOST, _PORT, _ACCOUNT, _KEY, _CONTAINER
 *   MEDUSA_TEST_GCS_ENDPOINT, _BUCKET
 *   MEDUSA_TEST_MINIO_ENDPOINT, _HOST, _PORT, _ACCESS_KEY, _SECRET_KEY, _BUCKET
 */
import type { TestEnvironment } from '../run.js';
import { startAzurite, type AzuriteServer } from './object-stores/azurite.js';
import { startFakeGcs, type FakeGcsServer } from './object-stores/fake-gcs.js';
import { startMinio, type MinioServer } from './object-stores/minio.js';
import { startRadosgw, type RadosgwServer } from './object-stores/radosgw.js';

const BUCKET = 'medusa-test';

let radosgw: RadosgwServer | undefined;
let azurite: AzuriteServer | undefined;
let fakeGcs: FakeGcsServer | undefined;
let minio: MinioServer | undefined;

async function up(): Promise<Record<string, string>> {
  const started = await Promise.allSettled([
    startRadosgw().then((s) => (radosgw = s)),
    startAzurite().then((s) => (azurite = s)),
    startFakeGcs().then((s) => (fakeGcs = s)),
    startMinio().then((s) => (minio = s)),
  ]);
  const failures = started.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0) throw new Error(`object stores did not start:\n${failures.join('\n')}`);
  if (!radosgw || !azurite || !fakeGcs || !minio) throw new Error('object stores: a server start resolved without a server');
  await Promise.all([radosgw.createBucket(BUCKET), azurite.createContainer(BUCKET), fakeGcs.createBucket(BUCKET), minio.createBucket(BUCKET)]);
  return {
    MEDUSA_TEST_S3_ENDPOINT: radosgw.endpoint,
    MEDUSA_TEST_S3_HOST: radosgw.host,
    MEDUSA_TEST_S3_PORT: String(radosgw.port),
    MEDUSA_TEST_S3_ACCESS_KEY: radosgw.accessKey,
    MEDUSA_TEST_S3_SECRET_KEY: radosgw.secretKey,
    MEDUSA_TEST_S3_BUCKET: BUCKET,
    MEDUSA_TEST_S3_REGION: 'us-east-1',
    MEDUSA_TEST_AZURITE_ENDPOINT: azurite.endpoint,
    MEDUSA_TEST_AZURITE_HOST: azurite.host,
    MEDUSA_TEST_AZURITE_PORT: String(azurite.port),
    MEDUSA_TEST_AZURITE_ACCOUNT: azurite.account,
    MEDUSA_TEST_AZURITE_KEY: azurite.key,
    MEDUSA_TEST_AZURITE_CONTAINER: BUCKET,
    MEDUSA_TEST_GCS_ENDPOINT: fakeGcs.endpoint,
    MEDUSA_TEST_GCS_BUCKET: BUCKET,
    MEDUSA_TEST_MINIO_ENDPOINT: minio.endpoint,
    MEDUSA_TEST_MINIO_HOST: minio.host,
    MEDUSA_TEST_MINIO_PORT: String(minio.port),
    MEDUSA_TEST_MINIO_ACCESS_KEY: minio.accessKey,
    MEDUSA_TEST_MINIO_SECRET_KEY: minio.secretKey,
    MEDUSA_TEST_MINIO_BUCKET: BUCKET,
  };
}

async function down(): Promise<void> {
  const servers = [radosgw, azurite, fakeGcs, minio];
  radosgw = azurite = fakeGcs = minio = undefined;
  const results = await Promise.allSettled(servers.map((s) => (s ? s.stop() : Promise.resolve())));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  if (failures.length > 0) throw new Error(`object stores: teardown failed: ${failures.join('; ')}`);
}

const environment: TestEnvironment = { name: 'object-stores', up, down };
export default environment;
