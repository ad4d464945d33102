/**
 * Runs bench/backup-run.ts as a child process, as the backup benchmarks do, on the code users run:
 * a checkout's built `dist` under plain Node.js (`built`), or its TypeScript sources under tsx.
 * The child's figures are its own: wall time of the whole process (start-up included), its CPU
 * (every thread) and peak RSS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one backup child reports. */
export interface BackupRun {
  /** From opening the store and loading the hash cache to the end, in the child. */
  readonly seconds: number;
  /** Spawn to exit, as a user waits for it. */
  readonly processSeconds: number;
  /** User + system CPU of the child, every thread, start-up included (0 when the child's version does not say). */
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
  readonly uploaded: number;
  readonly kept: number;
  readonly hashMisses: number;
  readonly hashHits: number;
}

/** How to run the child. */
export interface BackupChildOptions {
  /** The checkout whose code runs (default this one). */
  readonly checkout?: string;
  /** Its `dist` under plain Node.js (this checkout's backup-run.ts loads it), else its sources under tsx (its own backup-run.ts). */
  readonly built?: boolean;
}

const here = join(import.meta.dirname, '..', '..');

/** The V8 flags `checkout`'s bin/medusa runs Node.js with (its `flags=` line, if any), so a child's memory is a user's. */
export function medusaNodeFlags(checkout: string = here): string[] {
  const line = /^flags=(.*)$/m.exec(readFileSync(join(checkout, 'bin', 'medusa'), 'utf8'))?.[1];
  return line ? line.trim().split(/\s+/) : [];
}

/** Builds `checkout` (`npmw run build`): what `built` runs must be the checkout's current code. */
export function buildCheckout(checkout: string): void {
  process.stderr.write(`building ${checkout}...\n`);
  execFileSync(join(checkout, 'npmw'), ['run', 'build'], { cwd: checkout, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** One backup by bench/backup-run.ts with `args`; throws with the child's stderr when it fails. */
export function runBackupChild(args: readonly string[], options: BackupChildOptions = {}): BackupRun {
  const checkout = options.checkout ?? here;
  const argv = options.built
    ? [...medusaNodeFlags(checkout), join(here, 'bench', 'backup-run.ts'), '--lib', join(checkout, 'dist'), ...args]
    : ['--import', 'tsx', join(checkout, 'bench', 'backup-run.ts'), ...args];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: checkout, maxBuffer: 64 * 1024 * 1024 });
  const processSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`backup-run ${args.join(' ')} (${checkout}${options.built ? ', built' : ''}) failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Omit<BackupRun, 'processSeconds' | 'cpuSeconds'> & { cpuSeconds?: number };
  return { ...out, cpuSeconds: out.cpuSeconds ?? 0, processSeconds };
}
