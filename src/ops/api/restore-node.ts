/**
 * Entry point of `medusa restore-node` (and of a Kubernetes restore): restores this node, or the
 * `[storage] fqdn` node's backup onto it, as ops/restore-node.ts describes.
 */
import { restoreNode, type RestoreNodeRequest, type RestoreNodeResult } from '../restore-node.js';
import type { RunOptions, Session } from './session.js';

export type { RestoreNodeRequest, RestoreNodeResult } from '../restore-node.js';

/**
 * Restores the node; rejects with a `MedusaError` (Cassandra left as it was when the failure came
 * before stopping it). `run.signal` stops it while it downloads or before it stops Cassandra
 * (`OperationAbortedError`); once Cassandra is stopped the restore runs to its end.
 */
export function runRestoreNode(session: Session, request: RestoreNodeRequest, run: RunOptions = {}): Promise<RestoreNodeResult> {
  return restoreNode(
    {
      storage: session.storage,
      layout: session.layout,
      log: session.log,
      config: session.config,
      clock: session.clock,
      ...(run.progress ? { progress: run.progress } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
    },
    request,
  );
}
