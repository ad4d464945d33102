/**
 * Shared set-up of the object-store benchmarks: a radosgw of their own (started with the test
 * environment's helper, stopped in every path, Ctrl-C included), a bucket, and a `[storage]`
 * section for it. Figures from different runs are not comparable (radosgw shares the 2 cores with
 * the client and keeps objects in RAM), so each benchmark measures everything it compares in one run.
 */
import { parseConfig } from '../../src/config/parse.js';
import type { StorageSection } from '../../src/config/types.js';
import { startRadosgw, type RadosgwServer } from '../../test/environments/object-stores/radosgw.js';
import { tempKeyFile } from '../../test/support/object-store-env.js';

export const MiB = 1024 * 1024;

/** A running radosgw with one bucket, and what a benchmark needs to reach it. */
export interface BenchStore {
  readonly server: RadosgwServer;
  readonly bucket: string;
  /** A `[storage]` section for the bucket (s3_rgw), with `extra` ini lines applied. */
  section(extra?: Record<string, string | number>): StorageSection;
}

/**
 * Starts radosgw with `memstoreBytes` of in-RAM store, runs `body`, stops radosgw (also on error
 * or Ctrl-C). The store must hold everything a benchmark keeps at once.
 */
export async function withRadosgw<T>(memstoreBytes: number, body: (store: BenchStore) => Promise<T>): Promise<T> {
  console.log(`# starting radosgw (memstore ${(memstoreBytes / 1024 ** 3).toFixed(1)} GiB)...`);
  const server = await startRadosgw({ memstoreBytes });
  const onSignal = (): void => {
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const bucket = 'medusa-bench';
    await server.createBucket(bucket);
    const keyFile = tempKeyFile('credentials', `[default]\naws_access_key_id = ${server.accessKey}\naws_secret_access_key = ${server.secretKey}\n`);
    const section = (extra: Record<string, string | number> = {}): StorageSection => {
      const lines = { storage_provider: 's3_rgw', bucket_name: bucket, host: server.host, port: server.port, secure: 'False', key_file: keyFile, ...extra };
      const ini = `[storage]\n${Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`;
      return parseConfig(ini, { defaultFqdn: 'bench-node' }).config.storage;
    };
    return await body({ server, bucket, section });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await server.stop();
  }
}

/** Seconds since `t0` (a `performance.now()` value). */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** `n` bytes as MiB with one decimal. */
export function mib(n: number): string {
  return (n / MiB).toFixed(1);
}
