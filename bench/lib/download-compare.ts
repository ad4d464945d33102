/**
 * Shared pieces of the download benchmarks against rclone (bench/s3-vs-rclone.ts,
 * bench/other-stores-vs-rclone.ts): our download as a child process (bench/lib/download-run.ts),
 * optionally pinned to a CPU; rclone with its CPU time; pinning a store's processes; the timing line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedFile, PlannedTable } from '../../src/plan/restore-plan.js';
import { syncFileSystem } from '../../src/transfer/file-system-sync.js';
import { loadAverage, processCpuSeconds } from './process-cpu.js';
import { mib, secondsSince } from './radosgw-bench.js';
import type { SetFile } from './snapshot-set.js';
import type { ThreadCpu } from './thread-cpu.js';

/** Pins every thread of the store's processes to `cpus` (`taskset -a`). */
export function pinStore(pids: readonly number[], cpus: string): void {
  for (const pid of pids) execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Runs rclone with `env` (its remote's settings) and `args` (pinned to `cpu` when given); resolves
 * with its CPU seconds (user + sys, from the shell's `times`).
 */
export function runRcloneWith(env: NodeJS.ProcessEnv, args: readonly string[], cpu?: string): Promise<number> {
  // `times` (a shell builtin, so nothing to install) reports the children's CPU on fd 3.
  const pin = cpu === undefined ? '' : `taskset -c ${cpu} `;
  const script = `${pin}rclone "$@"; rc=$?; times >&3; exit $rc`;
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', script, 'bash', ...args], { env, stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
    let times = '';
    p.stdio[3]?.on('data', (d: Buffer) => (times += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rclone ${args[0]} exited with ${code}`));
      // Second line: children's user and system time, e.g. "0m5.120s 0m1.030s".
      const seconds = [...(times.trim().split('\n')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)].reduce((n, m) => n + Number(m[1]) * 60 + Number(m[2]), 0);
      resolve(seconds);
    });
  });
}

/** What our download child reports (bench/lib/download-run.ts). */
export interface ChildResult {
  readonly seconds: number;
  readonly cpu: ThreadCpu;
  readonly hashChecked: number;
}

/** Runs our download child on `jobFile` (pinned to `cpu` when given). */
export function runOurs(jobFile: string, cpu?: string): Promise<ChildResult> {
  const node = [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'download-run.ts'), jobFile];
  const argv = cpu === undefined ? node : ['taskset', '-c', cpu, ...node];
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`download child exited with ${code}: ${err.trim().split('\n').slice(-5).join('\n')}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

/** One timed run: wall time, client CPU and the store's CPU. */
export interface Timed {
  readonly seconds: number;
  readonly clientCpu: number;
}

const cpuText = (c: ThreadCpu): string => {
  const f = ([u, s]: [number, number]): string => `${u.toFixed(1)}u+${s.toFixed(1)}s`;
  return `main ${f(c.main)}, helpers ${f(c.helpers)}, hash workers ${f(c.started)}`;
};

/**
 * Times `fn`; prints wall time, rate, client CPU (ours from the child, or the CPU seconds `fn`
 * returns), the store's CPU (`serverPids`), the load average and the pinning.
 */
export async function timed(label: string, bytes: number, serverPids: readonly number[], pinning: string, fn: () => Promise<number | ChildResult | void>): Promise<Timed> {
  const load = loadAverage();
  const serverCpu = (): number => serverPids.reduce((n, pid) => n + processCpuSeconds(pid), 0);
  const server0 = serverCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const reported = await fn();
  // Our child's own figure: from its first request to its last byte on disk, without the start of
  // a TypeScript process (tsx compiles the sources first; a user's `medusa` runs built code).
  const s = reported && typeof reported === 'object' ? reported.seconds : secondsSince(t0);
  const cpu = process.cpuUsage(cpu0);
  const client = typeof reported === 'number' ? reported : reported ? reported.cpu.total : (cpu.user + cpu.system) / 1e6;
  const perGb = client / (bytes / 1e9);
  console.log(`${label.padEnd(30)} ${s.toFixed(2).padStart(7)} s  ${mib(bytes / s).padStart(7)} MiB/s  ` +
    `client CPU ${client.toFixed(1).padStart(5)} s (${perGb.toFixed(2)} s/GB)  store CPU ${(serverCpu() - server0).toFixed(1).padStart(5)} s  load ${load}  ${pinning}` +
    (reported && typeof reported === 'object' ? `\n${''.padEnd(32)}our threads: ${cpuText(reported.cpu)}` : ''));
  return { seconds: s, clientCpu: client };
}

/** The set as a restore plan under `prefix`: one table per keyspace/table folder, hashes as stored. */
export function planOf(files: readonly SetFile[], stored: ReadonlyMap<string, { size: number; hash?: string }>, prefix = 'ours/'): PlannedTable[] {
  const tables = new Map<string, { keyspace: string; tableDir: string; files: PlannedFile[] }>();
  for (const f of files) {
    const [keyspace = '', tableDir = '', name = ''] = f.relative.split('/');
    const table = tables.get(`${keyspace}/${tableDir}`) ?? { keyspace, tableDir, files: [] };
    const s = stored.get(f.relative);
    table.files.push({ key: `${prefix}${f.relative}`, relPath: name, size: s?.size ?? f.size, hash: s?.hash ?? null });
    tables.set(`${keyspace}/${tableDir}`, table);
  }
  return [...tables.values()].map((t) => ({ ...t, action: 'restore', reason: 'benchmark' }));
}

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};


/** Prints the ratios of (ours, rclone's) pairs: wall time rclone/ours and client CPU ours/rclone's. */
export function summary(what: string, results: ReadonlyArray<readonly [Timed, Timed]>): void {
  const ratios = results.map(([o, r]) => r.seconds / o.seconds);
  const cpuRatios = results.map(([o, r]) => o.clientCpu / r.clientCpu);
  console.log(`${what}: download ratios (rclone time / ours) ${ratios.map((x) => x.toFixed(2)).join(' ')}, median ${median(ratios).toFixed(2)} (target >= 1.0); ` +
    `client CPU ours / rclone's ${cpuRatios.map((x) => x.toFixed(2)).join(' ')}, median ${median(cpuRatios).toFixed(2)} (target <= 1.2)`);
}

/** CPU a store is pinned to in pinned runs; the client under test gets the other one. */
export const STORE_CPU = '0';
export const CLIENT_CPU = '1';

/**
 * `rounds` unpinned (ours, rclone's) pairs, then `pinnedRounds` pairs with every thread of
 * `storePids` on `STORE_CPU` and the client under test on `CLIENT_CPU` (the store is unpinned again after).
 * Who goes first alternates each round, so neither always meets the page cache the other left.
 */
export async function downloadPairs(
  run: { ours(cpu?: string): Promise<Timed>; theirs(cpu?: string): Promise<Timed> },
  storePids: readonly number[],
  rounds: number,
  pinnedRounds: number,
): Promise<{ free: Array<[Timed, Timed]>; pinned: Array<[Timed, Timed]> }> {
  const pair = async (round: number, cpu?: string): Promise<[Timed, Timed]> => {
    if (round % 2 === 0) {
      const o = await run.ours(cpu);
      return [o, await run.theirs(cpu)];
    }
    const r = await run.theirs(cpu);
    return [await run.ours(cpu), r];
  };
  const free: Array<[Timed, Timed]> = [];
  for (let round = 0; round < rounds; round++) free.push(await pair(round));
  const pinned: Array<[Timed, Timed]> = [];
  try {
    pinStore(storePids, STORE_CPU);
    for (let round = 0; round < pinnedRounds; round++) pinned.push(await pair(round, CLIENT_CPU));
  } finally {
    pinStore(storePids, '0-1');
  }
  return { free, pinned };
}

/** `before` of the download runs below: what to do right before the clock starts (e.g. drop the page cache). */
const noop = (): Promise<void> => Promise.resolve();

const pinning = (cpu: string | undefined): string => (cpu ? `client on CPU ${cpu}, store on CPU ${STORE_CPU}` : 'unpinned');

/**
 * Our restore-engine download as a timed run: the child on `jobFile` (pinned to `cpu` when given)
 * into `dest` (emptied before and after), checking that all `files` were hash-checked.
 */
export function oursDownload(jobFile: string, dest: string, bytes: number, files: number, storePids: readonly number[], before = noop): (cpu?: string) => Promise<Timed> {
  return async (cpu) => {
    await rm(dest, { recursive: true, force: true });
    await before();
    const t = await timed('medusa-ts download (restore)', bytes, storePids, pinning(cpu), async () => {
      const r = await runOurs(jobFile, cpu);
      if (r.hashChecked !== files) throw new Error(`only ${r.hashChecked} of ${files} files were hash-checked`);
      return r;
    });
    await rm(dest, { recursive: true, force: true });
    return t;
  };
}

/** rclone's download into `dest` (emptied before and after) by `copy`, then the same sync as ours, as a timed run. */
export function rcloneDownload(dest: string, bytes: number, storePids: readonly number[], copy: (dest: string, cpu?: string) => Promise<number>, before = noop): (cpu?: string) => Promise<Timed> {
  return async (cpu) => {
    await rm(dest, { recursive: true, force: true });
    await mkdir(dest, { recursive: true });
    await before();
    const t = await timed('rclone copy download + sync', bytes, storePids, pinning(cpu), async () => {
      const cpuSeconds = await copy(dest, cpu);
      await syncFileSystem(dest, 'the downloaded files');
      return cpuSeconds;
    });
    await rm(dest, { recursive: true, force: true });
    return t;
  };
}
