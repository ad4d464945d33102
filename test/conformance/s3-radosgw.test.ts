/**
 * The storage conformance suite against radosgw (real S3: SigV4, real multipart ETags), for the raw
 * S3 backend and for the production stack (`openStorage`: throttle + retry around it).
 * Needs the object-stores environment; fails when its variables are missing.
 */
import { createS3Backend } from '../../src/storage/backends/s3/index.js';
import { openStorage } from '../../src/storage/open.js';
import { radosgwLines, storageSection } from '../support/object-store-env.js';
import { describeStorageConformance } from './storage-suite.js';

const MiB = 1024 * 1024;
// Small parts keep the multipart case fast; the threshold below the part size also covers the
// one-part multipart layout (ETag "<md5>-1") boto3 produces between the two sizes.
const sizes = { multi_part_upload_threshold: 5 * MiB, multipart_chunksize: 6 * MiB };

describeStorageConformance('s3_rgw backend on radosgw', async () => {
  const backend = await createS3Backend(storageSection(radosgwLines(sizes)));
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 6 * MiB, multipartThreshold: 5 * MiB });

describeStorageConformance('s3_compatible through openStorage (throttle + retry) on radosgw', async () => {
  const storage = storageSection(radosgwLines({ ...sizes, storage_provider: 's3_compatible', transfer_max_bandwidth: '200MB/s' }));
  const backend = await openStorage({ storage });
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 6 * MiB, multipartThreshold: 5 * MiB, multipartSize: 5 * MiB + 17 });
