import { MemoryBackend } from '../../src/storage/backends/memory.js';
import { describeStorageConformance } from './storage-suite.js';

describeStorageConformance('memory backend', () =>
  Promise.resolve({ backend: new MemoryBackend(), cleanup: () => Promise.resolve() }),
  { partSize: 1024 * 1024 },
);
