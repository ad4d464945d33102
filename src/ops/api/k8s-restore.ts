/**
 * Entry point of the Kubernetes restore init container (`MEDUSA_MODE=RESTORE`, `medusa
 * k8s-restore`): the operation (ops/k8s-restore.ts) decides from the pod's environment whether and
 * what to restore, then opens a session of `source` acting, for a remote restore, as the source
 * host `RESTORE_MAPPING` names (its `fqdn` override on top of the face's own).
 */
import { logger } from '../../util/logger.js';
import { k8sRestore, type K8sRestoreResult } from '../k8s-restore.js';
import { openSession, type SessionOptions, type SessionSource } from './session.js';

export type { K8sRestoreResult } from '../k8s-restore.js';

/** Runs the init container's restore for the pod whose environment is `source.env` (default `process.env`). */
export function runK8sRestore(source: SessionSource, options: SessionOptions = {}): Promise<K8sRestoreResult> {
  const env = source.env ?? process.env;
  return k8sRestore({
    env,
    log: options.log ?? logger,
    open: async (overrides) => {
      const session = await openSession({ ...source, overrides: { ...source.overrides, ...overrides } }, options);
      return { ...session, close: () => session.storage.close() };
    },
  });
}
