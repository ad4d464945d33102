/** The catalog's records: node backups found in the index and the cluster backups they form. */
import type { TokenMap } from './tokenmap.js';

/** One node's backup, as the index (and its fallbacks) describes it. */
export interface NodeBackup {
  readonly name: string;
  readonly fqdn: string;
  /** Epoch seconds: from the `started_` index entry, else schema.cql's LastModified. */
  readonly started: number;
  /** Epoch seconds when the manifest was written; undefined while unfinished. */
  readonly finished?: number;
  /** Differential layout (data in the node's pool) vs full (data under the backup folder). */
  readonly differential: boolean;
  /** Key of the index copy of this node backup's tokenmap (same bytes as meta/tokenmap.json). */
  readonly tokenmapIndexKey: string;
}

/** All node backups sharing a name, judged against the tokenmap of the first one (reference §3.4). */
export interface ClusterBackup {
  readonly name: string;
  /** Sorted by start time, then fqdn. */
  readonly nodeBackups: readonly NodeBackup[];
  /** Tokenmap of the node backup that started first. */
  readonly tokenmap: TokenMap;
  /** Tokenmap hosts without a node backup, sorted. */
  readonly missingNodes: readonly string[];
  /** Finished node backups of tokenmap hosts, in tokenmap order. */
  readonly completeNodes: readonly NodeBackup[];
  /** Unfinished node backups of tokenmap hosts, in tokenmap order. */
  readonly incompleteNodes: readonly NodeBackup[];
  /** Node backups whose host is not in the tokenmap (e.g. another datacenter). */
  readonly unexpectedNodes: readonly NodeBackup[];
  readonly complete: boolean;
  /**
   * Earliest start of the expected node backups (tokenmap hosts), as Medusa 0.31; of all node
   * backups when none is expected.
   */
  readonly started: number;
  /** Latest finish of the expected node backups; only set when complete. */
  readonly finished?: number;
  readonly backupType: 'differential' | 'full';
}
