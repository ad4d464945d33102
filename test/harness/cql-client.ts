/**
 * A cassandra-driver client for harness nodes, configured for tests: the nodes' own data centre
 * as the local one, generous timeouts (two cores shared by every suite), and, unless asked
 * otherwise, queries pinned to the given nodes (the driver would otherwise discover the whole
 * cluster and send a `system.local` query to any node).
 */
import { Client, policies, types } from 'cassandra-driver';
import type { NodeDescriptor } from './node-descriptor.js';

/** Options of {@link connectCql}. */
export interface CqlOptions {
  keyspace?: string;
  /** Send queries only to the given nodes (default true). */
  pinned?: boolean;
}

/**
 * A client whose contact points are the given nodes (it connects on the first query). Callers
 * must `shutdown()` it, or use {@link withCql}. Default consistency is LOCAL_QUORUM, so a write
 * acknowledged on a cluster is on a majority of replicas.
 */
export function connectCql(nodes: readonly NodeDescriptor[], options: CqlOptions = {}): Client {
  const first = nodes[0];
  if (!first) throw new Error('connectCql needs at least one node');
  const endpoints = nodes.map((n) => `${n.host}:${n.cqlPort}`);
  const dcAware = new policies.loadBalancing.DCAwareRoundRobinPolicy(first.dc);
  return new Client({
    contactPoints: endpoints,
    localDataCenter: first.dc,
    ...(options.keyspace ? { keyspace: options.keyspace } : {}),
    socketOptions: { connectTimeout: 10_000, readTimeout: 60_000 },
    policies: {
      loadBalancing: options.pinned === false ? dcAware : new policies.loadBalancing.AllowListPolicy(dcAware, endpoints),
      reconnection: new policies.reconnection.ConstantReconnectionPolicy(1000),
    },
    queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
  });
}

/** Runs `work` with a fresh client and always shuts the client down afterwards. */
export async function withCql<T>(nodes: readonly NodeDescriptor[], work: (client: Client) => Promise<T>, options?: CqlOptions): Promise<T> {
  const client = connectCql(nodes, options);
  try {
    return await work(client);
  } finally {
    await client.shutdown();
  }
}
