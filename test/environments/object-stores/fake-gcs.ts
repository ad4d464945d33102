/**
 * fake-gcs-server (Go, built with `go install` through the Go module proxy) on a free port of
 * 127.0.0.1, in memory. Nothing real can run GCS here, so this emulator stands in for it; it
 * speaks the GCS JSON API, including resumable uploads and md5Hash/crc32c, which
 * @google-cloud/storage checks after every upload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBinary } from './install.js';
import { freePort, startDaemon, stopDaemon, waitUntil, type Daemon } from './processes.js';

/** The pinned emulator version. */
export const FAKE_GCS_MODULE = 'github.com/fsouza/fake-gcs-server';
export const FAKE_GCS_VERSION = 'v1.56.1';

/** A running fake-gcs-server and its endpoint. */
export interface FakeGcsServer {
  /** http://127.0.0.1:PORT, the value for @google-cloud/storage's `apiEndpoint`. */
  readonly endpoint: string;
  readonly port: number;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the emulator if needed (idempotent). */
export async function installFakeGcs(): Promise<string> {
  return ensureGoBinary(FAKE_GCS_MODULE, FAKE_GCS_VERSION, 'fake-gcs-server');
}

/** Starts the emulator; stops it again if it does not get ready. */
export async function startFakeGcs(): Promise<FakeGcsServer> {
  const bin = await installFakeGcs();
  const dir = mkdtempSync(join(tmpdir(), 'medusa-fake-gcs-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let daemon: Daemon | undefined;
  const stop = async (): Promise<void> => {
    await stopDaemon(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // external-url: the address the emulator puts into resumable-upload session URLs.
    const args = ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory',
      '-external-url', endpoint, '-public-host', `127.0.0.1:${port}`, '-log-level', 'warn'];
    daemon = startDaemon('fake-gcs-server', bin, args, join(dir, 'fake-gcs.log'));
    const listBuckets = async (): Promise<boolean> => (await fetch(`${endpoint}/storage/v1/b`, { signal: AbortSignal.timeout(2000) })).ok;
    await waitUntil(`fake-gcs-server on port ${port}`, listBuckets, 60_000, daemon);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, port, createBucket: (name) => createBucket(endpoint, name), stop };
}

async function createBucket(endpoint: string, name: string): Promise<void> {
  const res = await fetch(`${endpoint}/storage/v1/b?project=medusa-test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`fake-gcs-server: creating bucket ${name} failed: HTTP ${res.status} ${await res.text()}`);
}
