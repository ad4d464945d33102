/**
 * The remote-execution port: run one shell command on one host and learn how it ended. The SSH
 * executor (ssh-executor.ts) is the real one; the local executor (local-executor.ts) runs the
 * command on this machine (tests, single-machine setups). Orchestration (job.ts) only sees this port.
 */

/** Why a host failed; `exit` is the only kind where the command itself ran to its end. */
export type HostFailureKind =
  | 'exit'
  | 'timeout'
  | 'connection-refused'
  | 'unreachable'
  | 'auth'
  | 'host-key-mismatch'
  | 'unknown-host-key'
  | 'connection-lost'
  | 'error';

/** How a command ended on a host. `exitCode` 0 with no failure means success. */
export interface CommandOutcome {
  readonly exitCode: number | undefined;
  readonly failure?: { readonly kind: HostFailureKind; readonly message: string };
}

/** Streams a command's output as it arrives. */
export interface OutputSinks {
  readonly stdout: (chunk: Buffer) => void;
  readonly stderr: (chunk: Buffer) => void;
}

/** Runs shell commands on named hosts. Implementations never throw for a host failure: they report it. */
export interface RemoteExecutor {
  /** Runs `command` (a POSIX shell command line) on `host`; resolves once it has ended or failed. */
  run(host: string, command: string, sinks: OutputSinks, options: { readonly timeoutMs: number }): Promise<CommandOutcome>;
  /** Closes every connection still open. */
  close(): Promise<void>;
}
