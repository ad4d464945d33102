/**
 * Runs a program as if inside a pod's container: in a private mount namespace (`unshare --mount`)
 * where `/etc/medusa` and `/var/lib/cassandra` are bind mounts of a test's own folders, so the
 * program reads `/etc/medusa/medusa.ini` and writes `/var/lib/cassandra/.last-restore` exactly as
 * in the image, and nothing outside the namespace sees them. Needs root (as the harness's cluster
 * hosts do); the two mount points are created in the root file system if missing and left there
 * (removing them could break a cluster or another pod running concurrently).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** The folders standing for the pod's volumes. */
export interface PodVolumes {
  readonly etcMedusa: string;
  readonly varLibCassandra: string;
}

export interface PodRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * The command line that runs `argv` in a fresh mount namespace holding `volumes`. `unshare` and
 * the shell exec one another, so the process started ends up being `argv`'s own (signals sent to
 * it reach the program). Creates the two mount points if missing.
 */
export function podArgv(volumes: PodVolumes, argv: readonly string[]): string[] {
  for (const dir of ['/etc/medusa', '/var/lib/cassandra']) mkdirSync(dir, { recursive: true });
  const script = 'mount --bind "$1" /etc/medusa && mount --bind "$2" /var/lib/cassandra && shift 2 && exec "$@"';
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'pod', volumes.etcMedusa, volumes.varLibCassandra, ...argv];
}

/** Runs `argv` with `env` in a fresh mount namespace holding `volumes`; bounded by `timeoutMs` (default 2 minutes). */
export function runInPod(volumes: PodVolumes, argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): PodRun {
  const [command, ...args] = podArgv(volumes, argv);
  const started = Date.now();
  const r = spawnSync(command!, args, { env, encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}
