/**
 * The two gRPC agents tests compare, as real processes: ours (`bin/medusa --config-file INI
 * grpc-server`, needs `npm run build`) and the reference (`python -m medusa.service.grpc.server x
 * INI` from the `python-medusa` environment). Both run with TZ=UTC (BackupStatus prints local
 * times).
 *
 * Callers may rely on: `start*` resolves once the server answers a health check (bounded wait; a
 * server that exits first fails at once with its log); `stop()` sends SIGTERM and waits for the
 * exit (SIGKILL after a bound), reporting code, signal and how long it took; `kill9()` kills at once.
 * Nothing is left running after `stop()`/`kill9()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ClientTls, ReferenceGrpcClient } from './medusa-grpc-client.js';
import { MEDUSA_BIN } from './cli.js';

/** One running agent. */
export interface AgentProcess {
  readonly pid: number;
  readonly port: number;
  /** `host:port` to call. */
  readonly target: string;
  /** Everything it printed so far. */
  log(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`, default 60 s). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** SIGKILL (its whole process group when started `detached`: what a killed container loses) and waits for the exit. */
  kill9(): Promise<void>;
}

/** How to start a process: argv, and optionally a wrapper (e.g. `nsenter` into a cluster host). */
export interface SpawnSpec {
  readonly host?: string;
  readonly port: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Turns the command line into the one actually run (default: unchanged). */
  readonly wrap?: (argv: readonly string[]) => readonly string[];
  /** Health checks go through this client. */
  readonly client: ReferenceGrpcClient;
  readonly tls?: ClientTls;
  readonly readyTimeoutMs?: number;
  /** Its own process group, so `kill9` takes its children (nodetool) along. */
  readonly detached?: boolean;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function launch(name: string, argv: readonly string[], spec: SpawnSpec): Promise<AgentProcess> {
  const full = spec.wrap ? spec.wrap(argv) : argv;
  const child = spawn(full[0]!, full.slice(1), { env: { ...process.env, TZ: 'UTC', ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: spec.detached === true });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = exitOf(child);
  const target = `${spec.host ?? '127.0.0.1'}:${spec.port}`;
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 180_000);
  let last = '';
  for (;;) {
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]);
    if (gone) throw new Error(`${name} exited before serving (${child.exitCode ?? child.signalCode}):\n${output.slice(-4000)}`);
    const h = await spec.client.health(target, spec.tls ? { tls: spec.tls } : {});
    if (h.ok && h.status === 'SERVING') break;
    last = h.ok ? h.status : `${h.code}: ${h.details}`;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer health checks on ${target} within ${spec.readyTimeoutMs ?? 180_000} ms (last: ${last}):\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    pid: child.pid!,
    port: spec.port,
    target,
    log: () => output,
    async stop(timeoutMs = 60_000) {
      const t0 = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(timer);
      return { ...r, ms: Date.now() - t0 };
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) {
        if (spec.detached) process.kill(-child.pid!, 'SIGKILL');
        else child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

/** Our agent: `bin/medusa [globals] --config-file INI grpc-server`. */
export function startOurAgent(ini: string, spec: SpawnSpec & { readonly globals?: readonly string[] }): Promise<AgentProcess> {
  return launch('medusa grpc-server', [process.execPath, MEDUSA_BIN, ...(spec.globals ?? []), '--config-file', ini, 'grpc-server'], spec);
}

/**
 * Any command that ends up serving our agent, e.g. the image's entrypoint in `MEDUSA_MODE=GRPC`;
 * `name` names it in errors.
 */
export function startAgentCommand(name: string, argv: readonly string[], spec: SpawnSpec): Promise<AgentProcess> {
  return launch(name, argv, spec);
}

/** Medusa's own server (`python -m medusa.service.grpc.server x INI`) with the reference venv's Python. */
export function startReferenceAgent(ini: string, python: string, spec: SpawnSpec): Promise<AgentProcess> {
  return launch('python -m medusa.service.grpc.server', [python, '-m', 'medusa.service.grpc.server', 'x', ini], { ...spec, env: { PYTHONDONTWRITEBYTECODE: '1', ...spec.env } });
}

