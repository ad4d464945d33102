/**
 * MinIO (Go, built with `go install` through the Go module proxy) on free ports of 127.0.0.1,
 * storing in a temporary folder: a second S3 implementation next to radosgw, for the
 * `s3_compatible` row. Its quirks differ from radosgw's (CompleteMultipartUpload answers with the
 * ETag; listings and errors are its own), which is what makes it worth running.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBinary } from './install.js';
import { freePort, startDaemon, stopDaemon, waitUntil, type Daemon } from './processes.js';
import { s3TestServer, type S3TestServer } from './s3-test-server.js';

/** The pinned server version (MinIO publishes no semver tags, so a pseudo-version of its main branch). */
export const MINIO_MODULE = 'github.com/minio/minio';
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

const ACCESS_KEY = 'medusaminio';
const SECRET_KEY = 'medusaminiosecret';

/** A running MinIO and the coordinates to reach it. */
export type MinioServer = S3TestServer;

/** Builds MinIO if needed (idempotent; the first build takes minutes). */
export async function installMinio(): Promise<string> {
  return ensureGoBinary(MINIO_MODULE, MINIO_VERSION, 'minio', 1_800_000);
}

/** Starts MinIO; stops it again if it does not get ready. */
export async function startMinio(): Promise<MinioServer> {
  const bin = await installMinio();
  const dir = mkdtempSync(join(tmpdir(), 'medusa-minio-'));
  const [port, consolePort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${port}`;
  let daemon: Daemon | undefined;
  const stop = async (): Promise<void> => {
    await stopDaemon(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const env = {
      ...process.env,
      MINIO_ROOT_USER: ACCESS_KEY,
      MINIO_ROOT_PASSWORD: SECRET_KEY,
      // No phoning home, no update checks: the tests reach nothing but loopback.
      MINIO_UPDATE: 'off',
      MINIO_CALLHOME_ENABLE: 'off',
      MINIO_BROWSER: 'off',
    };
    const args = ['server', join(dir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'];
    daemon = startDaemon('minio', bin, args, join(dir, 'minio.log'), env);
    const live = async (): Promise<boolean> => (await fetch(`${endpoint}/minio/health/live`, { signal: AbortSignal.timeout(2000) })).ok;
    await waitUntil(`minio on port ${port}`, live, 60_000, daemon);
  } catch (err) {
    await stop();
    throw err;
  }
  return s3TestServer(port, ACCESS_KEY, SECRET_KEY, stop);
}
