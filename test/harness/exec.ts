/**
 * Runs an outside program for the harness and captures what it printed. Every call is bounded by a
 * timeout, so a hung `mvn`, `apt-get` or JVM turns into an error that names the command instead of
 * a test run that never ends.
 */
import { spawn } from 'node:child_process';

/** What a finished program left behind. `code` is null when it was killed by a signal. */
export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link execCapture}; `timeoutMs` defaults to two minutes. */
export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

/**
 * Runs `command args` without a shell and resolves with its exit status and output; never rejects
 * for a non-zero exit (see {@link execOk}). Rejects only when the program cannot be started.
 * On timeout the program gets SIGKILL and the result carries `signal: 'SIGKILL'`.
 */
export function execCapture(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined && child.stdin) {
      // A program that exits without reading its input must not crash the caller with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Like {@link execCapture}, but rejects unless the program exits 0; the error holds its output. */
export async function execOk(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await execCapture(command, args, options);
  if (result.code !== 0) {
    const status = result.signal ? `was killed by ${result.signal} (timeout?)` : `exited ${result.code}`;
    const output = `${result.stderr.trim()}\n${result.stdout.trim()}`.trim().slice(-4000);
    throw new Error(`\`${[command, ...args].join(' ')}\` ${status}${output ? `:\n${output}` : ''}`);
  }
  return result;
}
