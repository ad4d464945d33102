/**
 * `purge-decommissioned` (reference §6.1, §9 item 8): deletes every backup of the nodes that have
 * backups in the bucket but belong to no datacenter of the live topology, then their pools
 * (honouring the grace period) and their latest-backup pointers. Nodes are found by the exact shapes
 * of their objects (`plan/bucket-nodes.ts`), under the prefix or without one; the live hosts are an
 * input, so this runs without Cassandra in tests.
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { backupIndexFolder, parseIndexKey, prefixPath } from '../layout/keys.js';
import type { MetricsSink } from '../monitoring/types.js';
import { decommissionedNodes, nodeEvidencedBy } from '../plan/bucket-nodes.js';
import { listKeyPages } from '../storage/helpers.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { OperationError } from '../util/errors.js';
import type { NodePurgeRequest } from './purge-node.js';
import { runNodePurges, withPurgeMetrics, type PurgeReport } from './purge-run.js';

/** What the purge runs with. */
export interface PurgeDecommissionedContext extends CatalogContext {
  readonly clock: Clock;
  readonly metrics?: MetricsSink;
  /** Stops the run before the next node's deletions (see `runNodePurges`). */
  readonly signal?: AbortSignal;
  /** Sees one `delete` batch per node whose deletions run. */
  readonly progress?: ProgressReporter;
}

export interface PurgeDecommissionedOptions {
  /** Every host of every datacenter of the live cluster, named as tokenmaps name them. */
  readonly liveHosts: ReadonlySet<string>;
  readonly graceDays: number;
  readonly dryRun: boolean;
  /** The node running the command (`[storage] fqdn`), named in its metrics. */
  readonly fqdn: string;
}

/** The report, plus which nodes were found and which of them were purged. */
export interface PurgeDecommissionedReport extends PurgeReport {
  readonly bucketNodes: readonly string[];
  readonly decommissioned: readonly string[];
}

/** Purges the backups of decommissioned nodes. Refuses (deleting nothing) when no node with backups is live. */
export async function purgeDecommissioned(ctx: PurgeDecommissionedContext, options: PurgeDecommissionedOptions): Promise<PurgeDecommissionedReport> {
  const tags = ['medusa-decommissioned-node-backup', 'purge-error', 'PURGE-ERROR'] as const;
  const scope = { metrics: ctx.metrics, clock: ctx.clock, tags, command: 'purge-decommissioned', fqdn: options.fqdn, dryRun: options.dryRun } as const;
  return withPurgeMetrics(scope, async () => {
    ctx.log.info('Starting decommissioned purge');
    if (options.liveHosts.size === 0) throw new OperationError('The live topology lists no host: nothing is purged');
    const indexRoot = backupIndexFolder(ctx.layout);
    const indexKeys: string[] = [];
    const nodes = new Set<string>();
    for await (const page of listKeyPages(ctx.storage, prefixPath(ctx.layout))) {
      for (const key of page) {
        if (key.startsWith(indexRoot)) indexKeys.push(key);
        const fqdn = nodeEvidencedBy(ctx.layout, key);
        if (fqdn !== undefined) nodes.add(fqdn);
      }
    }
    const bucketNodes = [...nodes].sort();
    const decommissioned = decommissionedNodes(bucketNodes, options.liveHosts);
    if (bucketNodes.length > 0 && decommissioned.length === bucketNodes.length) {
      // Hosts named differently in the bucket and in the topology (IP vs name, resolve_ip_addresses)
      // would make every node look decommissioned: refuse rather than delete every backup.
      throw new OperationError(
        `None of the ${bucketNodes.length} nodes with backups (${bucketNodes.join(', ')}) is in the live topology ` +
          `(${[...options.liveHosts].sort().join(', ')}); check how hosts are named ([cassandra] resolve_ip_addresses). Nothing was purged`,
      );
    }
    if (decommissioned.length === 0) ctx.log.info('No decommissioned node has backups');

    const nowSeconds = Math.floor(ctx.clock.now() / 1000);
    const requests: NodePurgeRequest[] = decommissioned.map((fqdn) => {
      ctx.log.info(`Decommissioned node backups to purge: ${fqdn}`);
      const names = new Set<string>();
      for (const key of indexKeys) {
        const entry = parseIndexKey(ctx.layout, key);
        if (entry?.fqdn === fqdn) names.add(entry.backupName);
      }
      return {
        fqdn,
        indexKeys,
        purge: [...names].sort().map((name) => ({ backup: { name, fqdn }, reasons: [{ kind: 'decommissioned' }] })),
        remaining: [],
        graceDays: options.graceDays,
        nowSeconds,
        purgeUnindexed: { kind: 'decommissioned' },
        removeLatestPointer: true,
      };
    });
    const report = await runNodePurges(ctx, requests, { dryRun: options.dryRun, graceDays: options.graceDays });
    return { ...report, bucketNodes, decommissioned };
  });
}
