/**
 * Entry point of `medusa doctor`: every check of this node's setup, in order (ops/doctor/). Unlike
 * the other entry points it opens no session first: a configuration that does not load, or a store
 * that does not answer, is what it reports rather than fails on.
 */
import { loadConfig } from '../../config/index.js';
import { SshExecutor } from '../../remote/ssh-executor.js';
import { systemClock } from '../../util/clock.js';
import { remoteMedusaCommand } from '../cluster-job.js';
import { runDoctor } from '../doctor/doctor.js';
import type { CheckResult, DoctorReport } from '../doctor/types.js';
import type { SessionSource } from './session.js';

export type { CheckResult, DoctorReport } from '../doctor/types.js';

/** What a face asks of the checks. */
export interface DoctorRequest {
  /** Leave out the `[ssh]` checks (nodes that never run backup-cluster or restore-cluster). */
  readonly skipSsh: boolean;
  /** Called with each check's result as soon as it is known, in order. */
  readonly onResult?: (result: CheckResult) => void;
}

/** Runs every check; resolves with the report whatever the checks find (`healthy` says whether all passed). */
export function runDoctorChecks(source: SessionSource, request: DoctorRequest): Promise<DoctorReport> {
  const env = source.env ?? process.env;
  return runDoctor(
    {
      loadConfig: () =>
        loadConfig({
          ...(source.configFile !== undefined ? { configFile: source.configFile } : {}),
          ...(source.overrides !== undefined ? { overrides: source.overrides } : {}),
          env,
        }),
      sshExecutor: (config) => new SshExecutor({ ssh: config.ssh, useSudo: config.cassandra.use_sudo }),
      clock: systemClock,
      ...(request.onResult ? { onResult: request.onResult } : {}),
    },
    { skipSsh: request.skipSsh, remoteMedusaCommand: remoteMedusaCommand(undefined, env) },
  );
}
