/**
 * The storage conformance suite against MinIO, a second S3 implementation (its multipart ETags,
 * listings and errors are its own, not radosgw's), as `s3_compatible`: the raw backend and the
 * production stack. Needs the object-stores environment; fails when its variables are missing.
 */
import { createS3Backend } from '../../src/storage/backends/s3/index.js';
import { openStorage } from '../../src/storage/open.js';
import { minioLines, storageSection } from '../support/object-store-env.js';
import { describeStorageConformance } from './storage-suite.js';

const MiB = 1024 * 1024;
// As on radosgw: small parts, and a threshold below the part size for the one-part multipart layout.
const sizes = { multi_part_upload_threshold: 5 * MiB, multipart_chunksize: 6 * MiB };

describeStorageConformance('s3_compatible backend on MinIO', async () => {
  const backend = await createS3Backend(storageSection(minioLines(sizes)));
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 6 * MiB, multipartThreshold: 5 * MiB });

describeStorageConformance('s3_compatible through openStorage (throttle + retry) on MinIO', async () => {
  const storage = storageSection(minioLines({ ...sizes, transfer_max_bandwidth: '200MB/s' }));
  const backend = await openStorage({ storage });
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 6 * MiB, multipartThreshold: 5 * MiB, multipartSize: 5 * MiB + 17 });
