/**
 * Worker-thread entry of `HashWorkerPool`: hashes whole files on request. Runs `hashFile`, the same
 * code as the main thread, so results are identical wherever a file is hashed.
 */
import { parentPort } from 'node:worker_threads';
import { hashFile } from './hashing.js';
import type { HashRequest, HashResponse } from './hash-pool.js';

const port = parentPort;
if (port) {
  port.on('message', (request: HashRequest) => {
    hashFile(request.path, request.spec).then(
      (hashes) => port.postMessage({ id: request.id, ok: true, hashes } satisfies HashResponse),
      (err: unknown) => {
        const e = err as NodeJS.ErrnoException;
        port.postMessage({ id: request.id, ok: false, message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) } satisfies HashResponse);
      },
    );
  });
}
