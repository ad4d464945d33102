/**
 * `medusa doctor`: checks, in order, everything medusa needs on this node, and returns one result
 * per check (types.ts): the configuration and the files it names, the storage (credentials,
 * bucket, probe object, clock skew), nodetool/JMX, CQL, the data directories, and SSH to the
 * cluster's hosts. Every check runs even after a failure, except those that need what failed
 * (`skipped`). Nothing in the bucket changes but the probe object, which is deleted.
 */
import type { LoadedConfig } from '../../config/load.js';
import type { RemoteExecutor } from '../../remote/types.js';
import type { Clock } from '../../util/clock.js';
import { describeError } from '../../util/errors.js';
import { configCheck, configFilesCheck } from './config-checks.js';
import { cqlCheck, dataDirChecks, nodetoolCheck, sshChecks } from './node-checks.js';
import { storageChecks, type RunCheck } from './storage-checks.js';
import { skipped, type CheckResult, type DoctorReport, type Outcome } from './types.js';

export interface DoctorContext {
  /** Loads the configuration (file and command-line overrides). */
  readonly loadConfig: () => Promise<LoadedConfig>;
  /** The SSH executor for `[ssh]` (built only when a host is checked). */
  readonly sshExecutor: (config: LoadedConfig['config']) => RemoteExecutor;
  readonly clock: Clock;
  /** Called with each result as soon as it is known (a face prints it at once). */
  readonly onResult?: (result: CheckResult) => void;
}

export interface DoctorOptions {
  /** Leave out the SSH checks (a node that never runs backup-cluster or restore-cluster). */
  readonly skipSsh: boolean;
  /** The command backup-cluster and restore-cluster run on each host (looked for there). */
  readonly remoteMedusaCommand: string;
}

const LATER_CHECKS: readonly (readonly [string, string])[] = [
  ['config-files', 'files named in the config'],
  ['storage-credentials', 'storage credentials'],
  ['bucket', 'bucket exists and lists'],
  ['bucket-probe', 'probe object write/read/delete'],
  ['clock-skew', 'clock skew against the store'],
  ['nodetool', 'nodetool / JMX'],
  ['cql', 'CQL (and authentication)'],
  ['data-dirs', 'data directories'],
  ['ssh', '[ssh] hosts'],
];

/** Runs every check; see the module comment. Never throws for a failed check. */
export async function runDoctor(ctx: DoctorContext, options: DoctorOptions): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const check: RunCheck = async (id, title, run) => {
    const started = ctx.clock.now();
    const outcome: Outcome = await run().catch((err: unknown) => ({ status: 'fail' as const, detail: describeError(err), fix: 'an unexpected error: run again with -v for details' }));
    // One line each: a driver's message may carry a whole inspected error after its first line.
    const detail = outcome.detail.split('\n')[0]!.trim();
    const result: CheckResult = { id, title, ...outcome, detail, ms: ctx.clock.now() - started };
    checks.push(result);
    ctx.onResult?.(result);
    return outcome;
  };

  const loaded = await configCheck(ctx.loadConfig, check);
  if (!loaded) {
    for (const [id, title] of LATER_CHECKS) {
      if (id === 'ssh' && options.skipSsh) continue;
      await check(id, title, () => Promise.resolve(skipped('needs a valid configuration')));
    }
    return { checks, healthy: false };
  }
  const { config } = loaded;
  const yaml = await configFilesCheck(config, check);
  const storage = await storageChecks(config, ctx.clock, check);
  await storage?.close().catch(() => undefined);
  await nodetoolCheck(config, check);
  const hosts = await cqlCheck(config, yaml, check);
  await dataDirChecks(yaml, check);
  if (!options.skipSsh) await sshChecks(hosts, options.remoteMedusaCommand, () => ctx.sshExecutor(config), check);
  return { checks, healthy: checks.every((c) => c.status === 'ok') };
}
