/**
 * The real ports of a local node: snapshots through nodetool, found on disk under every data
 * directory; metadata through CQL with Medusa's retries (7 attempts, 10 s·2ⁿ capped at 120 s).
 */
import type { MedusaConfig } from '../config/types.js';
import type { HostResolver } from '../config/fqdn.js';
import type { Clock } from '../util/clock.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { CassandraYaml } from './cassandra-yaml.js';
import { CqlSession, cqlSettingsFor } from './cql-session.js';
import { Nodetool } from './nodetool.js';
import { findSnapshotTables, snapshotExists } from './snapshot-files.js';
import type { MetadataPort, NodeMetadata, SnapshotPort } from './types.js';

/** Snapshots taken and cleared with `nodetool`, looked up in `yaml.dataFileDirectories`. */
export function nodetoolSnapshots(config: Pick<MedusaConfig, 'cassandra'>, yaml: CassandraYaml, log: Logger): SnapshotPort {
  const nodetool = new Nodetool(config.cassandra, { log });
  const dataDirs = yaml.dataFileDirectories;
  return {
    dataDirs,
    exists: (tag) => snapshotExists(dataDirs, tag),
    create: (tag) => nodetool.snapshot(tag),
    clear: (tag) => nodetool.clearSnapshot(tag),
    tables: (tag) => findSnapshotTables(dataDirs, tag),
  };
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
