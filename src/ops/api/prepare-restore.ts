/**
 * Entry point of the agent's PrepareRestore (spec medusa-agent.md §2): maps the hosts of a backup
 * onto the live ring of this node's cluster, as `restore-cluster --seed-target` would, and writes
 * the mapping to `<mappingDir>/<restoreKey>` as Medusa does:
 * `{"in_place": bool, "host_map": {"<target>": {"source": ["<backup host>"], "seed": bool}}}`.
 *
 * The ring is read over CQL from the local node (its address from the local cassandra.yaml; Medusa
 * asks 127.0.0.1, the same node in a pod). An incomplete backup is refused unless `[kubernetes]
 * enabled` (Medusa's rule: in Kubernetes each pod restores whatever it has). The file is written
 * to a temporary name and renamed: a reader never sees half of it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCassandraYaml } from '../../cassandra/cassandra-yaml.js';
import { cqlSettingsFor } from '../../cassandra/cql-session.js';
import { dumpsPython, type PythonJsonValue } from '../../domain/python-json.js';
import { assertSegment } from '../../layout/segments.js';
import { mapFromTopology, type RestoreMapping } from '../../plan/restore-mapping.js';
import { placeFileAtomically } from '../../transfer/atomic-file.js';
import { OperationError } from '../../util/errors.js';
import { localSeedKeys, readSeedTopology } from '../cluster-cql.js';
import { findClusterBackup } from '../find-backup.js';
import type { Session } from './session.js';

export type { RestoreMapping } from '../../plan/restore-mapping.js';

/** What a face asks of a restore preparation. */
export interface PrepareRestoreRequest {
  readonly backupName: string;
  /** The file name of the mapping (one path segment). */
  readonly restoreKey: string;
  /** The folder of mapping files (created if missing). */
  readonly mappingDir: string;
}

/** What was written. */
export interface PreparedRestore {
  readonly path: string;
  readonly mapping: RestoreMapping;
}

/** The mapping document, as Medusa's `json.dumps` writes it. */
export function restoreMappingDocument(mapping: RestoreMapping): string {
  const hostMap: Record<string, PythonJsonValue> = {};
  for (const [target, a] of mapping.hosts) hostMap[target] = { source: [...a.sources], seed: a.seed };
  return dumpsPython({ in_place: mapping.inPlace, host_map: hostMap });
}

/**
 * Maps backup `backupName` onto the live ring and writes the mapping file. Throws
 * `BackupNotFoundError` for an unknown backup, `OperationError` for an incomplete one (outside
 * Kubernetes) or a ring that cannot be mapped onto.
 */
export async function runPrepareRestore(session: Session, request: PrepareRestoreRequest): Promise<PreparedRestore> {
  const { config, log, clock } = session;
  assertSegment('restore key', request.restoreKey);
  const backup = await findClusterBackup(session, request.backupName);
  if (!backup.complete && !config.kubernetes.enabled) {
    throw new OperationError(`Backup ${backup.name} is not complete: it cannot be restored (missing: ${backup.missingNodes.join(', ') || 'none'}; unfinished: ${backup.incompleteNodes.map((n) => n.fqdn).join(', ') || 'none'})`);
  }
  const local = (await cqlSettingsFor(config, await readCassandraYaml(config.cassandra.config_file))).host;
  log.info(`Preparing restore ${request.restoreKey} of backup ${backup.name}: reading the ring from ${local}`);
  const target = await readSeedTopology(config, local, { clock, log });
  const mapping = mapFromTopology({ source: backup.tokenmap, target, seeds: await localSeedKeys(config, log), ignoreRacks: false, forceSstableloader: false });
  await mkdir(request.mappingDir, { recursive: true });
  const path = join(request.mappingDir, request.restoreKey);
  await placeFileAtomically(path, (temp) => writeFile(temp, restoreMappingDocument(mapping)));
  log.info(`Restore mapping ${path}: ${mapping.inPlace ? 'in place' : 'onto other hosts'}, ${mapping.hosts.size} target hosts`);
  return { path, mapping };
}
