import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '../../src/storage/backends/local.js';
import { describeStorageConformance } from './storage-suite.js';

describeStorageConformance('local backend (temp folder)', async () => {
  const base = await mkdtemp(join(tmpdir(), 'medusa-local-conformance-'));
  return {
    backend: new LocalBackend({ root: join(base, 'bucket') }),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}, { partSize: 1024 * 1024 });
