/**
 * The snapshot route: how Medusa asks the local Cassandra node to take and clear its `medusa-<name>`
 * snapshots. Three implementations, chosen as Medusa chooses (medusa-agent.md §3, one place:
 * `snapshotRouteFor` in select-snapshot-route.ts):
 * - nodetool (`snapshot -t`, `clearsnapshot -t`, `listsnapshots`): a host with Cassandra's tools;
 * - the Management API (`[kubernetes] enabled` + `use_mgmt_api`): POST / DELETE on `cassandra_url`;
 * - Jolokia (`[kubernetes] enabled` without `use_mgmt_api`): `StorageService` operations over HTTP.
 *
 * One shared suite (test/cassandra/snapshot-route-suite.ts) holds every implementation to this
 * contract on a real node.
 */

/** Takes, clears and lists the snapshots of the local node. */
export interface SnapshotRoute {
  /** `nodetool`, `management API` or `Jolokia`: for messages. */
  readonly name: string;
  /**
   * Takes snapshot `tag` of every keyspace. Resolves only once the node reports success, so the
   * snapshot's folders (`<data_dir>/<ks>/<table>/snapshots/<tag>/`) are on disk. Rejects with an
   * `OperationError` whose message is one line naming the route, the tag and the node's reason
   * when the node refuses (a tag that already exists is refused) or cannot be reached in time.
   */
  take(tag: string): Promise<void>;
  /**
   * Removes snapshot `tag` from every keyspace. A tag the node does not have resolves (nothing to
   * clear). Rejects like `take` when the node refuses or cannot be reached.
   */
  clear(tag: string): Promise<void>;
  /**
   * Every snapshot tag the node has, in any keyspace, each once, in no particular order. Rejects
   * when the snapshots cannot be listed.
   */
  list(): Promise<string[]>;
}

/** The node's data directories, read when first needed (a purge need not read cassandra.yaml otherwise). */
export type DataDirsSource = () => Promise<readonly string[]>;
