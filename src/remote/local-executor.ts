/**
 * Runs the "remote" command on this machine with `sh -c`, whatever the host name: for tests and
 * for clusters whose nodes share one machine. The host name is exported as MEDUSA_REMOTE_HOST.
 */
import { spawn } from 'node:child_process';
import type { CommandOutcome, OutputSinks, RemoteExecutor } from './types.js';

export class LocalExecutor implements RemoteExecutor {
  run(host: string, command: string, sinks: OutputSinks, options: { readonly timeoutMs: number }): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      const child = spawn('sh', ['-c', command], { env: { ...process.env, MEDUSA_REMOTE_HOST: host }, stdio: ['ignore', 'pipe', 'pipe'] });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, options.timeoutMs);
      child.stdout.on('data', (d: Buffer) => sinks.stdout(d));
      child.stderr.on('data', (d: Buffer) => sinks.stderr(d));
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ exitCode: undefined, failure: { kind: 'error', message: err.message } });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) resolve({ exitCode: undefined, failure: { kind: 'timeout', message: `no end after ${Math.round(options.timeoutMs / 1000)} s` } });
        else if (code === 0) resolve({ exitCode: 0 });
        else resolve({ exitCode: code ?? undefined, failure: { kind: 'exit', message: code !== null ? `exit code ${code}` : `killed by ${String(signal)}` } });
      });
    });
  }

  async close(): Promise<void> {}
}
