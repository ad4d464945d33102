/**
 * Bodies whose bytes are all in memory when `get` returns them (the local store's small objects):
 * marked, so that the layers above can take the bytes as they are instead of streaming them. A
 * catalog read of thousands of manifests (the agent's first GetBackups) spent about half of its
 * time in the retry layer's resumable stream and in collecting chunks, for objects read in one call.
 */
import { Readable } from 'node:stream';

const wholeBodies = new WeakMap<Readable, Buffer>();

/** A body of `bytes`, marked as whole. */
export function wholeBody(bytes: Buffer): Readable {
  const body = Readable.from([bytes], { objectMode: false });
  wholeBodies.set(body, bytes);
  return body;
}

/**
 * The bytes of a body made by {@link wholeBody}, or undefined for any other body. Valid only for a
 * body nobody has read from yet: ask before consuming it, then use either the bytes or the stream.
 */
export function wholeBodyBytes(body: Readable): Buffer | undefined {
  return wholeBodies.get(body);
}
