/**
 * The real ports of a local node: snapshots taken and cleared through the configured route
 * (nodetool, the Management API or Jolokia: select-snapshot-route.ts), found on disk under every
 * data directory; metadata through CQL with Medusa's retries (7 attempts, 10 s·2ⁿ capped at 120 s).
 */
import type { MedusaConfig } from '../config/types.js';
import type { HostResolver } from '../config/fqdn.js';
import type { Clock } from '../util/clock.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { readCassandraYaml, type CassandraYaml } from './cassandra-yaml.js';
import { CqlSession, cqlSettingsFor } from './cql-session.js';
import type { HttpRouteOptions } from './routes/management-api-route.js';
import { snapshotRouteFor } from './select-snapshot-route.js';
import { findSnapshotTables, snapshotExists } from './snapshot-files.js';
import type { SnapshotRoute } from './snapshot-route.js';
import type { MetadataPort, NodeMetadata, SnapshotPort } from './types.js';

/**
 * The local node's snapshot route for listing and clearing (purge): cassandra.yaml is read only
 * when the route lists snapshots from the data directories (the HTTP routes).
 */
export function localSnapshotRoute(config: Pick<MedusaConfig, 'cassandra' | 'kubernetes'>, log: Logger): SnapshotRoute {
  return snapshotRouteFor(config, async () => (await readCassandraYaml(config.cassandra.config_file)).dataFileDirectories, log);
}

/** A backup's snapshots: taken and cleared through `route`, looked up in `dataDirs`. */
export function routedSnapshots(route: SnapshotRoute, dataDirs: readonly string[]): SnapshotPort {
  return {
    dataDirs,
    exists: (tag) => snapshotExists(dataDirs, tag),
    create: (tag) => route.take(tag),
    clear: (tag) => route.clear(tag),
    tables: (tag) => findSnapshotTables(dataDirs, tag),
  };
}

/** The local node's snapshots through the configured route, looked up in `yaml.dataFileDirectories`. */
export function localSnapshots(config: Pick<MedusaConfig, 'cassandra' | 'kubernetes'>, yaml: CassandraYaml, log: Logger, options: HttpRouteOptions = {}): SnapshotPort {
  const dataDirs = yaml.dataFileDirectories;
  return routedSnapshots(snapshotRouteFor(config, () => Promise.resolve(dataDirs), log, options), dataDirs);
}

export interface CqlMetadataOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly resolver?: HostResolver;
  /** Attempts before giving up (default 7, as Medusa). */
  readonly attempts?: number;
  /** Ends the retries: no further attempt once aborted (rejecting with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** Schema, tokenmap and server version read over one CQL session, retried as Medusa retries. */
export function cqlMetadata(config: Pick<MedusaConfig, 'cassandra' | 'kubernetes'>, yaml: CassandraYaml, options: CqlMetadataOptions): MetadataPort {
  const attempts = options.attempts ?? 7;
  return {
    async read(): Promise<NodeMetadata> {
      const settings = await cqlSettingsFor(config, yaml, options.resolver);
      for (let attempt = 1; ; attempt++) {
        options.signal?.throwIfAborted();
        try {
          const session = await CqlSession.connect(settings, options.resolver);
          try {
            const schema = await session.exportSchema();
            const tokenmap = await session.tokenMap();
            const serverVersion = await session.serverVersion();
            return { schema, tokenmap, serverVersion };
          } finally {
            await session.close().catch(() => undefined);
          }
        } catch (err) {
          if (attempt >= attempts || options.signal?.aborted) throw err;
          const delay = Math.min(120_000, 10_000 * 2 ** (attempt - 1));
          options.log.warning(`Reading schema and tokenmap failed (attempt ${attempt} of ${attempts}), retrying in ${delay / 1000} s: ${describeError(err)}`);
          await options.clock.sleep(delay, options.signal);
        }
      }
    },
  };
}
