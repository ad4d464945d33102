/** The nodetool snapshot route: `snapshot -t`, `clearsnapshot -t`, `listsnapshots` (a host with Cassandra's tools). */
import { listSnapshotTags } from '../list-snapshots.js';
import type { Nodetool } from '../nodetool.js';
import type { SnapshotRoute } from '../snapshot-route.js';

/** The route through `nodetool` (its failures are `NodetoolError`s naming the command, password masked). */
export function nodetoolRoute(nodetool: Nodetool): SnapshotRoute {
  return {
    name: 'nodetool',
    take: (tag) => nodetool.snapshot(tag),
    clear: (tag) => nodetool.clearSnapshot(tag),
    list: () => listSnapshotTags(nodetool),
  };
}
