/**
 * The JSON document of one cluster backup, as `status -o json` and `list-backups --output json`
 * print it: Medusa's `to_json_dict` keys (reference §6.3), printed with sorted keys. Unlike the
 * text summaries (`clusterTotals` in catalog/details.ts), `size` and `num_objects` sum every finished node backup,
 * tokenmap host or not: Medusa 0.31 changed the text and kept this.
 */
import type { DetailedClusterBackup } from '../../ops/api/backups.js';
import type { PythonJsonValue } from '../../domain/python-json.js';

/** Medusa's keys for one cluster backup. Node lists keep the backups' start order. */
export function clusterBackupJson(detailed: DetailedClusterBackup): { [key: string]: PythonJsonValue } {
  const { backup, nodes } = detailed;
  const finished = nodes.filter((n) => n.nodeBackup.finished !== undefined);
  const unfinished = nodes.filter((n) => n.nodeBackup.finished === undefined);
  const nodeEntry = (n: (typeof nodes)[number]): { [key: string]: PythonJsonValue } => ({
    fqdn: n.nodeBackup.fqdn,
    started: n.nodeBackup.started,
    finished: n.nodeBackup.finished ?? null,
    size: n.size,
    num_objects: n.numObjects,
    server_type: n.serverVersion.server_type,
    release_version: n.serverVersion.release_version,
  });
  return {
    name: backup.name,
    started: backup.started,
    finished: backup.finished ?? null,
    backup_type: backup.backupType,
    size: finished.reduce((s, n) => s + n.size, 0),
    num_objects: finished.reduce((s, n) => s + n.numObjects, 0),
    completed_nodes: finished.length,
    nodes: finished.map(nodeEntry),
    incomplete_nodes: unfinished.length,
    incomplete_nodes_list: unfinished.map(nodeEntry),
    missing_nodes: backup.missingNodes.length,
    missing_nodes_list: [...backup.missingNodes],
  };
}
