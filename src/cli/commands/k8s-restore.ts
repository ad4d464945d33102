/**
 * `medusa k8s-restore`: the Kubernetes restore init container (`MEDUSA_MODE=RESTORE` in
 * k8s/entrypoint.sh). Its input is the environment the operator gives the container
 * (`BACKUP_NAME`, `RESTORE_KEY`, `RESTORE_MAPPING`, `POD_NAME`, `MEDUSA_TMP_DIR`), as in Medusa.
 */
import type { Command } from 'commander';
import { runK8sRestore } from '../../ops/api/k8s-restore.js';
import { logger } from '../../util/logger.js';
import { sessionSource } from '../context.js';
import type { GlobalsGetter } from './index.js';

export function registerK8sRestore(program: Command, globals: GlobalsGetter): void {
  program
    .command('k8s-restore')
    .description('Kubernetes init container: restore BACKUP_NAME onto this pod before Cassandra starts, once per RESTORE_KEY (RESTORE_MAPPING, POD_NAME)')
    .action(async () => {
      const result = await runK8sRestore(sessionSource(globals()));
      if (result.kind === 'restored') {
        for (const r of result.restore.restored) logger.info(`Restored ${r.plan.totalFiles} files (${r.plan.totalBytes} bytes) of ${r.fqdn}`);
      }
    });
}
