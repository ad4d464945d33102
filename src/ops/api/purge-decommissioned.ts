/**
 * Entry point of `medusa purge-decommissioned`: reads the live topology over CQL from the local
 * node, then deletes the backups of the nodes in no datacenter of it, with the metrics sink of
 * `[monitoring]` (not reaching Cassandra counts as a purge error too).
 */
import { createMetricsSink } from '../../monitoring/create.js';
import { readLiveHosts } from '../live-hosts.js';
import { purgeDecommissioned, type PurgeDecommissionedReport } from '../purge-decommissioned.js';
import type { RunOptions, Session } from './session.js';

export type { PurgeDecommissionedReport } from '../purge-decommissioned.js';

/** What a face asks of the purge of decommissioned nodes. */
export interface PurgeDecommissionedRequest {
  readonly dryRun: boolean;
}

/** Purges the backups of decommissioned nodes; returns what was (or would be) deleted. `run.signal` stops it before the next node's deletions. */
export async function runPurgeDecommissioned(session: Session, request: PurgeDecommissionedRequest, run: RunOptions = {}): Promise<PurgeDecommissionedReport> {
  const { config, log, clock } = session;
  const metrics = createMetricsSink(config.monitoring, log);
  try {
    const liveHosts = await readLiveHosts(config, { clock, log }).catch(async (err: unknown) => {
      // The operation sends this metric for its own failures; not reaching Cassandra is one too.
      if (!request.dryRun) {
        await metrics.send(['medusa-decommissioned-node-backup', 'purge-error', 'PURGE-ERROR'], 1).catch(() => undefined);
        await metrics.record?.({ kind: 'purge', command: 'purge-decommissioned', fqdn: config.storage.fqdn, finished: clock.now(), ok: false });
      }
      throw err;
    });
    log.info(`Live nodes: ${[...liveHosts].join(', ')}`);
    return await purgeDecommissioned(
      { storage: session.storage, layout: session.layout, log, clock, metrics, ...(run.signal ? { signal: run.signal } : {}), ...(run.progress ? { progress: run.progress } : {}) },
      { liveHosts, graceDays: config.storage.backup_grace_period_in_days, dryRun: request.dryRun, fqdn: config.storage.fqdn },
    );
  } finally {
    await metrics.close();
  }
}
