/**
 * The Cassandra-side ports a backup uses. The real implementations (nodetool + data directories,
 * CQL) are in this folder; tests and benchmarks may pass their own (a prepared snapshot folder,
 * fixed metadata), which is how the backup runs without a live node.
 */
import type { ServerVersion } from '../domain/server-version.js';
import type { TokenMap } from '../domain/tokenmap.js';
import type { SnapshotTable } from './snapshot-files.js';

/** Snapshots of the local node, by tag. */
export interface SnapshotPort {
  /** Data directories searched (every `data_file_directories` entry). */
  readonly dataDirs: readonly string[];
  /** Whether a snapshot named `tag` exists on disk. */
  exists(tag: string): Promise<boolean>;
  /** Takes snapshot `tag` of every keyspace; rejects when the snapshot could not be taken. */
  create(tag: string): Promise<void>;
  /** Removes snapshot `tag`; rejects when that failed. */
  clear(tag: string): Promise<void>;
  /** The snapshot's files, per table (see `findSnapshotTables`). */
  tables(tag: string): Promise<SnapshotTable[]>;
}

/** What a backup records about the node before copying files (reference §4.2 steps 2-3). */
export interface NodeMetadata {
  /** CQL text stored as `meta/schema.cql`. */
  readonly schema: string;
  readonly tokenmap: TokenMap;
  readonly serverVersion: ServerVersion;
}

/** Reads the node's metadata (with whatever retries the implementation does). */
export interface MetadataPort {
  read(): Promise<NodeMetadata>;
}
