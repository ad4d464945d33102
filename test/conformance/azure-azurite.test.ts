/**
 * The storage conformance suite against azurite (Microsoft's Azure Blob emulator, Shared Key auth
 * enforced), for the raw backend and through `openStorage`. Fails when the environment is missing.
 */
import { createAzureBackend } from '../../src/storage/backends/azure/index.js';
import { openStorage } from '../../src/storage/open.js';
import { azuriteLines, storageSection } from '../support/object-store-env.js';
import { describeStorageConformance } from './storage-suite.js';

const MiB = 1024 * 1024;
const sizes = { multi_part_upload_threshold: 4 * MiB, multipart_chunksize: 2 * MiB };

describeStorageConformance('azure_blobs backend on azurite', async () => {
  const backend = await createAzureBackend(storageSection(azuriteLines(sizes)));
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 2 * MiB, multipartThreshold: 4 * MiB });

describeStorageConformance('azure_blobs through openStorage (throttle + retry) on azurite', async () => {
  const backend = await openStorage({ storage: storageSection(azuriteLines({ ...sizes, transfer_max_bandwidth: '200MB/s' })) });
  return { backend, cleanup: () => Promise.resolve() };
}, { partSize: 2 * MiB, multipartThreshold: 4 * MiB });
