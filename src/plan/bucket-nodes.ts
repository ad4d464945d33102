/**
 * Pure: which nodes have backups in a bucket, and which of them are decommissioned (reference §6.1,
 * §9 item 8). Medusa took the second path segment of every key for a node, so `index`, backup
 * names and, without a prefix, other deployments' prefixes all looked like decommissioned nodes.
 * Here a key is evidence of a node only when it has the exact shape of a node's object.
 */
import { parseIndexKey, parseMetaKey, parseNodeKey, type BucketLayout } from '../layout/keys.js';
import { isPoolObjectKey } from './purge-selection.js';

/** Cassandra table directories end with `-<table id as 32 hex digits>` (Cassandra 2.1 and later). */
const TABLE_DIR = /-[0-9a-f]{32}$/;

/**
 * The fqdn whose backups `key` proves, or `undefined`. Evidence: an index entry
 * (`{P}index/backup_index/N/<kind>_F...`), a meta object (`{P}F/N/meta/<file>`), or a pool object
 * (`{P}F/data/<keyspace>/<keyspace table dir>/<file>`, left behind when a purge spared it by grace).
 * A key of another deployment (under another prefix) is never evidence: its shapes have one
 * segment more.
 */
export function nodeEvidencedBy(layout: BucketLayout, key: string): string | undefined {
  const entry = parseIndexKey(layout, key);
  if (entry) return entry.fqdn;
  const meta = parseMetaKey(layout, key);
  if (meta) return meta.fqdn;
  const node = parseNodeKey(layout, key);
  if (!node || !isPoolObjectKey(layout, node.fqdn, key)) return undefined;
  const tableDir = node.rest.split('/')[2];
  return tableDir !== undefined && TABLE_DIR.test(tableDir) ? node.fqdn : undefined;
}

/** Nodes with backups that belong to no datacenter of the live topology, sorted. */
export function decommissionedNodes(bucketNodes: Iterable<string>, liveHosts: ReadonlySet<string>): string[] {
  return [...new Set(bucketNodes)].filter((fqdn) => !liveHosts.has(fqdn)).sort();
}
