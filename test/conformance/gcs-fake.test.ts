/**
 * The storage conformance suite against fake-gcs-server. Nothing real can run GCS on this machine,
 * so this emulator (GCS JSON API, resumable uploads, md5Hash) stands in for it. Raw backend and
 * through `openStorage`. Fails when the environment is missing.
 */
import { createGcsBackend } from '../../src/storage/backends/gcs/index.js';
import { openStorage } from '../../src/storage/open.js';
import { fakeGcsLines, storageSection } from '../support/object-store-env.js';
import { describeStorageConformance } from './storage-suite.js';

const MiB = 1024 * 1024;
// The multipart-sized object (2 × 2 MiB + 1,031 bytes) goes up resumable, in 1 MiB chunks.
const sizes = { multi_part_upload_threshold: 2 * MiB, multipart_chunksize: 1 * MiB };

describeStorageConformance('google_storage backend on fake-gcs-server', async () => {
  const backend = await createGcsBackend(storageSection(fakeGcsLines(sizes)), {});
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 2 * MiB, multipartThreshold: 2 * MiB });

describeStorageConformance('google_storage through openStorage (throttle + retry) on fake-gcs-server', async () => {
  const backend = await openStorage({ storage: storageSection(fakeGcsLines({ ...sizes, transfer_max_bandwidth: '200MB/s' })) });
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 2 * MiB, multipartThreshold: 2 * MiB });
