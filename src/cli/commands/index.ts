/** Every command the `medusa` binary offers. A command is listed only once it works. */
import type { Command } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { registerBackup } from './backup.js';
import { registerBackupCluster } from './backup-cluster.js';
import { registerBuildIndex } from './build-index.js';
import { registerDeleteBackup } from './delete-backup.js';
import { registerDoctor } from './doctor.js';
import { registerDownload } from './download.js';
import { registerFetchTokenmap } from './fetch-tokenmap.js';
import { registerGrpcServer } from './grpc-server.js';
import { registerK8sRestore } from './k8s-restore.js';
import { registerGetLastCompleteClusterBackup } from './get-last-complete-cluster-backup.js';
import { registerListBackups } from './list-backups.js';
import { registerPurge } from './purge.js';
import { registerPurgeDecommissioned } from './purge-decommissioned.js';
import { registerReportLastBackup } from './report-last-backup.js';
import { registerRestoreCluster } from './restore-cluster.js';
import { registerRestoreNode } from './restore-node.js';
import { registerStatus } from './status.js';
import { registerVerify } from './verify.js';

/** Reads the global options once commander has parsed them. */
export type GlobalsGetter = () => GlobalOptions;

export function registerCommands(program: Command, globals: GlobalsGetter): void {
  registerBackup(program, globals);
  registerListBackups(program, globals);
  registerStatus(program, globals);
  registerVerify(program, globals);
  registerFetchTokenmap(program, globals);
  registerGetLastCompleteClusterBackup(program, globals);
  registerReportLastBackup(program, globals);
  registerBuildIndex(program, globals);
  registerPurge(program, globals);
  registerDeleteBackup(program, globals);
  registerPurgeDecommissioned(program, globals);
  registerDownload(program, globals);
  registerRestoreNode(program, globals);
  registerBackupCluster(program, globals);
  registerRestoreCluster(program, globals);
  registerDoctor(program, globals);
  registerGrpcServer(program, globals);
  registerK8sRestore(program, globals);
}
