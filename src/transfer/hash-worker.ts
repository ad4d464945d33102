/**
 * Worker-thread entry of `HashWorkerPool`: hashes whole files on request (`hashFile`, the same code
 * as the main thread, so results are identical wherever a file is hashed), and follows files being
 * written (`FileFollower`), any number at once.
 */
import { parentPort } from 'node:worker_threads';
import { FileFollower } from './follow-hash.js';
import { hashFile } from './hashing.js';
import type { HashRequest, HashResponse } from './hash-pool.js';

const port = parentPort;
const followers = new Map<number, FileFollower>();

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
      case 'follow': {
        const follower = new FileFollower(request.path, request.spec, request.expectedSize, (outcome) => {
          followers.delete(request.id);
          port.postMessage(outcome.ok ? ({ id: request.id, ok: true, hashes: outcome.hashes } satisfies HashResponse) : failure(request.id, outcome.error));
        });
        followers.set(request.id, follower);
        return;
      }
      case 'advance':
        followers.get(request.id)?.advance(request.size);
        return;
      case 'finish':
        followers.get(request.id)?.finish(request.size);
        return;
      case 'cancel':
        followers.get(request.id)?.cancel();
        followers.delete(request.id);
        return;
    }
  });
}
