/**
 * Pure: finds node backups by their meta objects, for rebuilding the index (`build-index`) when it
 * is missing or damaged. A node backup exists when its meta/schema.cql does; it finished when its
 * meta/manifest.json does.
 */
import { parseMetaKey, type BucketLayout } from '../layout/keys.js';
import type { ListedKey } from './index-listing.js';

export interface DiscoveredNodeBackup {
  readonly name: string;
  readonly fqdn: string;
  /** schema.cql LastModified, epoch seconds. */
  readonly started: number;
  /** manifest.json LastModified, epoch seconds; undefined when unfinished. */
  readonly finished?: number;
  readonly differential: boolean;
}

/** Groups meta objects by (fqdn, backup name); sorted by fqdn, then name. */
export function discoverNodeBackups(layout: BucketLayout, listing: Iterable<ListedKey>): DiscoveredNodeBackup[] {
  const groups = new Map<string, { fqdn: string; name: string; files: Map<string, Date> }>();
  for (const item of listing) {
    const meta = parseMetaKey(layout, item.key);
    if (!meta) continue;
    const id = `${meta.fqdn}\0${meta.backupName}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { fqdn: meta.fqdn, name: meta.backupName, files: new Map() }));
    group.files.set(meta.file, item.lastModified);
  }
  const found: DiscoveredNodeBackup[] = [];
  for (const g of groups.values()) {
    const schema = g.files.get('schema.cql');
    if (!schema) continue;
    const manifest = g.files.get('manifest.json');
    found.push({
      name: g.name,
      fqdn: g.fqdn,
      started: Math.floor(schema.getTime() / 1000),
      ...(manifest ? { finished: Math.floor(manifest.getTime() / 1000) } : {}),
      differential: g.files.has('differential') || g.files.has('incremental'),
    });
  }
  return found.sort((a, b) => (a.fqdn === b.fqdn ? (a.name < b.name ? -1 : 1) : a.fqdn < b.fqdn ? -1 : 1));
}

/** Per node, the finished backup that finished last (ties: the later name). */
export function latestPerNode(backups: readonly DiscoveredNodeBackup[]): Map<string, DiscoveredNodeBackup> {
  const latest = new Map<string, DiscoveredNodeBackup>();
  for (const b of backups) {
    if (b.finished === undefined) continue;
    const current = latest.get(b.fqdn);
    if (!current || b.finished >= current.finished!) latest.set(b.fqdn, b);
  }
  return latest;
}
