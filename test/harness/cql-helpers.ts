/**
 * Data helpers for tests against harness nodes: keyspaces, a standard test table (optionally with
 * a secondary index), N deterministic rows, row counts, truncate, and flush/compact through the
 * node's real nodetool. Row `i` is `(id=i, value='value-<i>', category='cat-<i % 10>')`, so a test
 * can check restored contents, not only counts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { concurrent, type Client } from 'cassandra-driver';
import { rootViewPath, type NodeDescriptor } from './node-descriptor.js';
import { nodetool } from './node-control.js';

const NAME = /^[a-z][a-z0-9_]{0,47}$/;

function checkName(kind: string, name: string): string {
  // Names are spliced into CQL, so only plain lower-case identifiers are accepted.
  if (!NAME.test(name)) throw new Error(`${kind} name "${name}" is not a plain CQL identifier`);
  return name;
}

/**
 * Creates a keyspace (if missing) with NetworkTopologyStrategy; `replication` maps data centre to
 * replication factor (default `{ dc1: 1 }`, the harness's data centre).
 */
export async function createKeyspace(client: Client, keyspace: string, replication: Record<string, number> = { dc1: 1 }): Promise<void> {
  const factors = Object.entries(replication).map(([dc, rf]) => `'${checkName('data centre', dc)}': ${rf}`).join(', ');
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${checkName('keyspace', keyspace)} ` +
    `WITH replication = {'class': 'NetworkTopologyStrategy', ${factors}}`);
}

/**
 * Creates the standard test table `keyspace.table (id int PRIMARY KEY, value text, category text)`
 * if missing; with `secondaryIndex`, also the index `<table>_category_idx` on `category` (a legacy
 * secondary index, stored as a hidden `.<index>` folder inside the table's data folder).
 */
export async function createTable(client: Client, keyspace: string, table: string, options: { secondaryIndex?: boolean } = {}): Promise<void> {
  const qualified = `${checkName('keyspace', keyspace)}.${checkName('table', table)}`;
  await client.execute(`CREATE TABLE IF NOT EXISTS ${qualified} (id int PRIMARY KEY, value text, category text)`);
  if (options.secondaryIndex) {
    await client.execute(`CREATE INDEX IF NOT EXISTS ${table}_category_idx ON ${qualified} (category)`);
  }
}

/** Writes rows `start` .. `start + count - 1` of the standard table (see the file header). */
export async function writeRows(client: Client, keyspace: string, table: string, count: number, start = 0): Promise<void> {
  const params = Array.from({ length: count }, (_, k) => {
    const id = start + k;
    return [id, `value-${id}`, `cat-${id % 10}`];
  });
  await concurrent.executeConcurrent(client,
    `INSERT INTO ${checkName('keyspace', keyspace)}.${checkName('table', table)} (id, value, category) VALUES (?, ?, ?)`,
    params, { concurrencyLevel: 32 });
}

/** Number of rows in a table (`SELECT COUNT(*)`). */
export async function countRows(client: Client, keyspace: string, table: string): Promise<number> {
  const result = await client.execute(`SELECT COUNT(*) AS n FROM ${checkName('keyspace', keyspace)}.${checkName('table', table)}`);
  return Number(result.first().get('n'));
}

/** Empties a table (TRUNCATE; with auto_snapshot on, Cassandra snapshots it first). */
export async function truncateTable(client: Client, keyspace: string, table: string): Promise<void> {
  await client.execute(`TRUNCATE ${checkName('keyspace', keyspace)}.${checkName('table', table)}`);
}

/** `nodetool flush [keyspace [tables...]]` on the node: memtables become SSTables on disk. */
export async function flush(node: NodeDescriptor, keyspace?: string, tables: string[] = []): Promise<void> {
  await nodetool(node, ['flush', ...(keyspace ? [keyspace, ...tables] : [])]);
}

/** `nodetool compact [keyspace [tables...]]` on the node (major compaction, waits until done). */
export async function compact(node: NodeDescriptor, keyspace?: string, tables: string[] = []): Promise<void> {
  await nodetool(node, ['compact', ...(keyspace ? [keyspace, ...tables] : [])], 600_000);
}

/**
 * The data folders of a table on a node (`<data dir>/<keyspace>/<table>-<id>`, one per data
 * directory that holds it), as paths in the root namespace, so a test can look at files directly.
 */
export function tableDirs(node: NodeDescriptor, keyspace: string, table: string): string[] {
  const out: string[] = [];
  for (const dataDir of node.dataDirs) {
    const ksDir = rootViewPath(node, join(dataDir, keyspace));
    let entries: string[];
    try {
      entries = readdirSync(ksDir);
    } catch {
      continue;
    }
    for (const e of entries) if (e.startsWith(`${table}-`)) out.push(join(ksDir, e));
  }
  return out;
}
