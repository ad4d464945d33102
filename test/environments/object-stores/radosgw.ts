/**
 * radosgw (Ceph's S3 gateway) on free ports of 127.0.0.1: real SigV4 checks and real multipart
 * ETags. Started by the project's scripts/servers/radosgw-up.sh; used by the conformance suite and
 * by the benchmarks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, repoRoot } from './install.js';
import { freePort, run } from './processes.js';
import { s3TestServer, type S3TestServer } from './s3-test-server.js';

/** A running radosgw and the coordinates to reach it. */
export type RadosgwServer = S3TestServer;

const ACCESS_KEY = 'MEDUSAAK';
const SECRET_KEY = 'MEDUSASECRET';

/** Installs Ceph if missing (Debian packages). */
export async function installRadosgw(): Promise<void> {
  await ensureDebianPackages(['ceph-mon', 'ceph-osd', 'radosgw'], ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph']);
}

/** How many times a start whose free port was taken meanwhile is tried again on new ports. */
const PORT_RACE_ATTEMPTS = 3;

/**
 * Starts a one-node Ceph with radosgw. `memstoreBytes` caps what the in-RAM store holds (RAM is
 * only used as objects are written). On failure everything started is stopped before rejecting.
 * A free port is only free when it is picked: the daemons bind it seconds later, and on this
 * machine Cassandra nodes and test clients open outgoing connections from the same range, so a
 * start that failed with "Address already in use" is made again on new ports.
 */
export async function startRadosgw(options: { memstoreBytes?: number } = {}): Promise<RadosgwServer> {
  await installRadosgw();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= PORT_RACE_ATTEMPTS || !message.includes('Address already in use')) throw err;
    }
  }
}

async function startOnce(options: { memstoreBytes?: number }): Promise<RadosgwServer> {
  const dir = mkdtempSync(join(tmpdir(), 'medusa-radosgw-'));
  const [port, monPort, monV1Port] = [await freePort(), await freePort(), await freePort()];
  const scripts = join(repoRoot, 'scripts', 'servers');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await run('bash', [join(scripts, 'radosgw-down.sh'), dir], { timeoutMs: 60_000 });
  };
  const env = {
    ...process.env,
    RGW_PORT: String(port),
    MON_PORT: String(monPort),
    MON_V1_PORT: String(monV1Port),
    S3_ACCESS_KEY: ACCESS_KEY,
    S3_SECRET_KEY: SECRET_KEY,
    MEMSTORE_BYTES: String(options.memstoreBytes ?? 2 * 1024 ** 3),
  };
  try {
    await run('bash', [join(scripts, 'radosgw-up.sh'), dir], { env, timeoutMs: 300_000 });
  } catch (err) {
    await stop().catch(() => undefined);
    throw new Error(`radosgw did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  return s3TestServer(port, ACCESS_KEY, SECRET_KEY, stop);
}
