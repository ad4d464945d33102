/**
 * Pure: turns one listing of `{P}index/backup_index/` into the node backups it describes
 * (reference §3.4 steps 1-2). A node backup is listed only when its `tokenmap_F.json` entry exists;
 * times come from the `started_`/`finished_` entry names, with fallbacks left to the caller.
 */
import { parseIndexKey, type BucketLayout, type IndexEntry } from '../layout/keys.js';

/** What the listing says about one node backup, before fallbacks. */
export interface IndexedNodeBackup {
  readonly name: string;
  readonly fqdn: string;
  readonly started?: number;
  readonly finished?: number;
  /** Key of the index copy of the manifest: its LastModified is the first fallback for `finished`. */
  readonly manifestIndexKey?: string;
  readonly differential: boolean;
  readonly tokenmapIndexKey: string;
}

/** A listed object: its key, and its LastModified where the listing gave it. */
export interface ListedKey {
  readonly key: string;
  readonly lastModified: Date;
}

export interface IndexListing {
  readonly nodeBackups: readonly IndexedNodeBackup[];
  /** Keys under the index folder that do not have an index entry's shape (reported as warnings). */
  readonly unexpectedKeys: readonly string[];
}

interface Accumulator {
  tokenmapKey?: string;
  started?: number;
  finished?: number;
  manifestKey?: string;
  differential: boolean;
}

function apply(acc: Accumulator, entry: IndexEntry, key: string): void {
  switch (entry.kind) {
    case 'tokenmap':
      acc.tokenmapKey = key;
      break;
    case 'started':
      acc.started = acc.started === undefined ? entry.epoch : Math.min(acc.started, entry.epoch);
      break;
    case 'finished':
      acc.finished = acc.finished === undefined ? entry.epoch : Math.max(acc.finished, entry.epoch);
      break;
    case 'manifest':
      acc.manifestKey = key;
      break;
    case 'differential':
    case 'incremental':
      acc.differential = true;
      break;
    case 'schema':
      break;
  }
}

/**
 * Reads an index listing page by page (a listing of 10,000 backups x 12 nodes is 660,000 keys:
 * they are parsed as they come, never held all at once), then groups it like `readIndexListing`.
 */
export class IndexListingReader {
  private readonly byNode = new Map<string, Map<string, Accumulator>>();
  private readonly unexpectedKeys: string[] = [];

  constructor(private readonly layout: BucketLayout) {}

  /** Adds the next keys of the listing. */
  add(keys: Iterable<string>): void {
    for (const key of keys) {
      const entry = parseIndexKey(this.layout, key);
      if (!entry) {
        this.unexpectedKeys.push(key);
        continue;
      }
      let nodes = this.byNode.get(entry.backupName);
      if (!nodes) this.byNode.set(entry.backupName, (nodes = new Map<string, Accumulator>()));
      let acc = nodes.get(entry.fqdn);
      if (!acc) nodes.set(entry.fqdn, (acc = { differential: false }));
      apply(acc, entry, key);
    }
  }

  /** The node backups of every key added so far, sorted by name, then fqdn. */
  result(): IndexListing {
    const nodeBackups: IndexedNodeBackup[] = [];
    for (const name of [...this.byNode.keys()].sort()) {
      const nodes = this.byNode.get(name)!;
      for (const fqdn of [...nodes.keys()].sort()) {
        const acc = nodes.get(fqdn)!;
        if (acc.tokenmapKey === undefined) continue;
        nodeBackups.push({
          name,
          fqdn,
          differential: acc.differential,
          tokenmapIndexKey: acc.tokenmapKey,
          ...(acc.started !== undefined ? { started: acc.started } : {}),
          ...(acc.finished !== undefined ? { finished: acc.finished } : {}),
          ...(acc.manifestKey !== undefined ? { manifestIndexKey: acc.manifestKey } : {}),
        });
      }
    }
    return { nodeBackups, unexpectedKeys: this.unexpectedKeys };
  }
}

/** Groups the keys of an index listing by (backup name, fqdn). Output sorted by name, then fqdn. */
export function readIndexListing(layout: BucketLayout, keys: Iterable<string>): IndexListing {
  const reader = new IndexListingReader(layout);
  reader.add(keys);
  return reader.result();
}
