/**
 * The live topology for `purge-decommissioned`: every host of every datacenter, read over CQL from
 * the local node (contact and credentials as for a backup: cassandra.yaml and `[cassandra]`),
 * retried a few times as Medusa retries its session.
 */
import { readCassandraYaml } from '../cassandra/cassandra-yaml.js';
import { CqlSession, cqlSettingsFor } from '../cassandra/cql-session.js';
import type { MedusaConfig } from '../config/types.js';
import type { Clock } from '../util/clock.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** Reads the cluster's hosts; throws the last error after `attempts` failed connections. */
export async function readLiveHosts(
  config: Pick<MedusaConfig, 'cassandra' | 'kubernetes'>,
  options: { readonly clock: Clock; readonly log: Logger; readonly attempts?: number },
): Promise<Set<string>> {
  const attempts = options.attempts ?? 5;
  const settings = await cqlSettingsFor(config, await readCassandraYaml(config.cassandra.config_file));
  for (let attempt = 1; ; attempt++) {
    try {
      const session = await CqlSession.connect(settings);
      try {
        return new Set(await session.clusterHosts());
      } finally {
        await session.close().catch(() => undefined);
      }
    } catch (err) {
      if (attempt >= attempts) throw err;
      const delay = Math.min(60_000, 5_000 * 2 ** (attempt - 1));
      options.log.warning(`Reading the live topology failed (attempt ${attempt} of ${attempts}), retrying in ${delay / 1000} s: ${describeError(err)}`);
      await options.clock.sleep(delay);
    }
  }
}
