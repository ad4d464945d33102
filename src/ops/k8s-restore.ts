/**
 * The Kubernetes restore init container (`MEDUSA_MODE=RESTORE`, medusa-agent.md §3): restores this
 * pod's node from `BACKUP_NAME` before Cassandra starts, once per `RESTORE_KEY`.
 *
 * Steps: decide from the environment and `.last-restore` (plan/k8s-restore.ts; nothing to do ends
 * here); open the configuration, acting as the source host of `RESTORE_MAPPING` when the restore is
 * not in place (Medusa does the same through `POD_IP`); check the backup exists and holds that
 * host; check Cassandra is not running; restore as Medusa's init container does (`restore-node`
 * copy mode, in place or remote, `system_auth` kept when remote, no verify, Cassandra neither
 * stopped nor started: Kubernetes does that, and a remote restore pins the source's tokens in
 * cassandra.yaml); then write the key to `.last-restore`, only after success.
 *
 * Past Medusa: an unknown backup, or a backup without the host to restore, fails with one line
 * (Medusa logs "Skipped restore" and marks the key done, so the pod starts with its old data);
 * so does a Cassandra that is already running (Medusa would swap its live files); and a restarted
 * init container resumes: restore-node stages under a fixed name and keeps every file already
 * downloaded and checked (ops/restore-staging.ts).
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { readCassandraYaml } from '../cassandra/cassandra-yaml.js';
import { cqlSettingsFor } from '../cassandra/cql-session.js';
import { portOpen } from '../cassandra/service.js';
import type { ConfigOverrides, MedusaConfig } from '../config/types.js';
import { decideInitRestore, RestoreMappingError, type InitRestoreDecision } from '../plan/k8s-restore.js';
import { OperationError, UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { BackupNotFoundError, findClusterBackup } from './find-backup.js';
import { lastRestoreFile, readLastRestoreKey, writeLastRestoreKey } from './last-restore.js';
import { restoreNode, type RestoreNodeContext, type RestoreNodeResult } from './restore-node.js';

/** Where Medusa's init container downloads when `MEDUSA_TMP_DIR` is not set. */
export const DEFAULT_RESTORE_TEMP_DIR = '/tmp';

/** A context the operation opened; closed by the operation. */
export interface OpenedRestoreContext extends RestoreNodeContext {
  close(): Promise<void>;
}

/** What the operation runs with. */
export interface K8sRestoreDeps {
  /** The pod's environment (`BACKUP_NAME`, `RESTORE_KEY`, `RESTORE_MAPPING`, `POD_NAME`, `MEDUSA_TMP_DIR`, `MEDUSA_LAST_RESTORE_FILE`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** Loads the configuration and opens its storage with these overrides on top of the face's own. */
  open(overrides: ConfigOverrides): Promise<OpenedRestoreContext>;
}

/** What the init container did. */
export type K8sRestoreResult =
  | { readonly kind: 'nothing'; readonly reason: string }
  | {
      readonly kind: 'restored';
      readonly backupName: string;
      readonly restoreKey: string;
      readonly inPlace: boolean;
      /** The node whose backup was restored. */
      readonly fqdn: string;
      readonly restore: RestoreNodeResult;
      /** The file the key was written to. */
      readonly lastRestoreFile: string;
    };

/** The backup must exist and hold `fqdn`; one line naming what is missing otherwise. */
async function checkBackupHolds(ctx: CatalogContext, backupName: string, fqdn: string, from: string): Promise<void> {
  let nodes: string[];
  try {
    const backup = await findClusterBackup(ctx, backupName);
    nodes = backup.nodeBackups.map((nb) => nb.fqdn);
  } catch (err) {
    if (err instanceof BackupNotFoundError) throw new OperationError(`BACKUP_NAME ${backupName}: no such backup in the bucket`);
    throw err;
  }
  if (!nodes.includes(fqdn)) {
    throw new OperationError(`backup ${backupName} has no node ${fqdn} (${from}); its nodes: ${[...nodes].sort().join(', ')}`);
  }
}

/** Refuses to touch a node whose Cassandra answers: the init container runs before Cassandra starts. */
async function checkCassandraDown(config: Readonly<MedusaConfig>): Promise<void> {
  const yaml = await readCassandraYaml(config.cassandra.config_file);
  const { host } = await cqlSettingsFor(config, yaml);
  for (const port of [yaml.nativePort, yaml.storagePort]) {
    if (await portOpen(host, port, 2_000)) {
      throw new OperationError(`Cassandra is running (${host}:${port} answers): the Kubernetes restore replaces its files, so it runs only before Cassandra starts (the init container)`);
    }
  }
}

/** Runs the init container's restore; see the module comment. */
export async function k8sRestore(deps: K8sRestoreDeps): Promise<K8sRestoreResult> {
  const { env, log } = deps;
  const markerFile = lastRestoreFile(env);
  let decision: InitRestoreDecision;
  try {
    decision = decideInitRestore(env, await readLastRestoreKey(markerFile));
  } catch (err) {
    if (err instanceof RestoreMappingError) throw new UsageError(err.message);
    throw err;
  }
  if (decision.kind === 'nothing') {
    log.info(`Nothing to restore: ${decision.reason}`);
    if (decision.recordKey !== undefined) await writeLastRestoreKey(markerFile, decision.recordKey);
    return { kind: 'nothing', reason: decision.reason };
  }
  const { backupName, restoreKey, inPlace, sourceFqdn } = decision;
  const ctx = await deps.open(sourceFqdn !== undefined ? { fqdn: sourceFqdn } : {});
  try {
    if (!ctx.config.kubernetes.enabled) {
      throw new UsageError('[kubernetes] enabled is not set: the init-container restore leaves stopping and starting Cassandra to Kubernetes, which only Kubernetes mode does');
    }
    const fqdn = ctx.config.storage.fqdn;
    const from = sourceFqdn !== undefined ? `the source RESTORE_MAPPING names for pod ${env['POD_NAME'] ?? ''}` : 'this pod\'s own fqdn, restoring in place';
    await checkBackupHolds(ctx, backupName, fqdn, from);
    await checkCassandraDown(ctx.config);
    log.info(`Restoring backup ${backupName} of ${fqdn} ${inPlace ? 'in place' : 'onto this node (remote: its tokens pinned, system_auth kept)'} for restore ${restoreKey}`);
    const tempDir = env['MEDUSA_TMP_DIR'] || DEFAULT_RESTORE_TEMP_DIR;
    const restore = await restoreNode(ctx, {
      backupName,
      inPlace,
      keepAuth: !inPlace,
      seeds: [],
      verify: false,
      filter: { keyspaces: [], tables: [] },
      useSstableloader: false,
      tempDir,
      versionTarget: '',
    });
    await writeLastRestoreKey(markerFile, restoreKey);
    log.info(`Finished restore of backup ${backupName}: key ${restoreKey} written to ${markerFile}`);
    return { kind: 'restored', backupName, restoreKey, inPlace, fqdn, restore, lastRestoreFile: markerFile };
  } finally {
    await ctx.close();
  }
}
