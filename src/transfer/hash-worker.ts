/**
 * Worker-thread entry of `HashWorkerPool`: hashes whole files on request (`hashFile`, the same code
 * as the main thread, so results are identical wherever a file is hashed), and streams handed over
 * in pieces (`ContentHasher`), any number at once.
 */
import { parentPort } from 'node:worker_threads';
import { ContentHasher, hashFile } from './hashing.js';
import type { HashRequest, HashResponse } from './hash-pool.js';

const port = parentPort;
const streams = new Map<number, ContentHasher>();

function failure(id: number, err: unknown): HashResponse {
  const e = err as NodeJS.ErrnoException;
  return { id, ok: false, message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) };
}

if (port) {
  port.on('message', (request: HashRequest) => {
    switch (request.kind) {
      case 'file':
        hashFile(request.path, request.spec).then(
          (hashes) => port.postMessage({ id: request.id, ok: true, hashes } satisfies HashResponse),
          (err: unknown) => port.postMessage(failure(request.id, err)),
        );
        return;
      case 'stream':
        try {
          streams.set(request.id, new ContentHasher(request.spec, request.expectedSize));
        } catch (err) {
          port.postMessage(failure(request.id, err));
        }
        return;
      case 'chunk':
        streams.get(request.id)?.update(request.data);
        port.postMessage({ id: request.id, ack: request.seq } satisfies HashResponse);
        return;
      case 'end': {
        const hasher = streams.get(request.id);
        streams.delete(request.id);
        if (hasher) port.postMessage({ id: request.id, ok: true, hashes: hasher.digest() } satisfies HashResponse);
        return;
      }
      case 'cancel':
        streams.delete(request.id);
        return;
    }
  });
}
