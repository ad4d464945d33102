/**
 * Benchmark: the gRPC agent's read rpcs and idle memory, ours (`medusa grpc-server`) against Medusa
 * 0.31's own server (`python -m medusa.service.grpc.server`) on the SAME local bucket of 2,000
 * backups x 12 nodes (bench/list-backups.ts's bucket; reads change nothing, so one copy serves
 * both). Targets (issue 14): GetBackups and BackupStatus at least 10x faster than Medusa's; idle
 * RSS below Medusa's.
 *
 * One client for both: @grpc/grpc-js with our proto (its decoding cost is the same for both
 * servers). Per server: RSS once it answers its first health check and after 5 s idle; GetBackups
 * once cold (first call: every manifest read) and then the median of --runs warm calls; BackupStatus
 * of the newest backup, median of 200 calls, each followed by a health check (an rpc that does no
 * work: the floor under every call's latency; median of those 200); RSS after the calls. The servers run one after the
 * other, never together, after the bucket has been read once into the page cache (so neither pays
 * for a cold disk the other does not). Prints the load average with the figures (the machine is shared: compare
 * the ratios, measured in the same run).
 *
 * Usage: flock /work/locks/heavy.lock node --import tsx bench/agent-reads.ts [--backups 2000] [--nodes 12] [--runs 5]
 * Needs `npm run build` and the reference venv (test environment python-medusa; MEDUSA_PY_PYTHON
 * or .cache/python-medusa/bin/python).
 */
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { medusaServiceDefinition } from '../src/agent/wire.js';
import { freePorts } from '../test/harness/free-ports.js';
import { bigBucketBackupName, ensureBigBucket } from '../test/support/big-bucket.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { backups: { type: 'string', default: '2000' }, nodes: { type: 'string', default: '12' }, runs: { type: 'string', default: '5' } } });
const backups = Number(values.backups);
const nodes = Number(values.nodes);
const runs = Number(values.runs);
const dir = join(root, '.cache', 'bench', `list-backups-${backups}x${nodes}`);
const python = process.env['MEDUSA_PY_PYTHON'] ?? join(root, '.cache', 'python-medusa', 'bin', 'python');
if (!existsSync(python)) throw new Error(`${python} is missing: run the python-medusa test environment once (node --import tsx test/run.ts interop --only reporting) or set MEDUSA_PY_PYTHON`);

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** BackupStatus calls, each followed by a Health/Check. */
const STATUS_CALLS = 200;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Unary = (request: object, callback: (err: ServiceError | null, response?: Record<string, unknown>) => void) => void;
const MedusaClient = makeGenericClientConstructor(medusaServiceDefinition(), 'Medusa');

function call(client: Client, rpc: string, request: object): Promise<Record<string, unknown>> {
  const method = (client as unknown as Record<string, Unary>)[rpc]!.bind(client);
  return new Promise((resolve, reject) => method(request, (err, response) => (err ? reject(err) : resolve(response!))));
}

async function timed(client: Client, rpc: string, request: object): Promise<number> {
  const t0 = performance.now();
  await call(client, rpc, request);
  return performance.now() - t0;
}

/**
 * One `grpc.health.v1.Health/Check` (an empty request; the answer is not decoded): the round trip
 * of an rpc that does no work on either server, the floor under any rpc's latency on this machine.
 */
function healthCheck(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', () => Buffer.alloc(0), (b: Buffer) => b, {}, (err) => (err ? reject(err) : resolve()));
  });
}

interface Figures {
  rssStart: number;
  rssIdle: number;
  getBackupsCold: number;
  getBackupsWarm: number;
  backupStatus: number;
  /** Median Health/Check round trip (ms): the floor. */
  floor: number;
  rssAfter: number;
}

async function measure(label: string, argv: string[], port: number): Promise<Figures> {
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const client = new MedusaClient(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': 512 * 1024 * 1024 }) as Client;
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode}):\n${log}`);
      const ok = await call(client, 'BackupStatus', { backupName: bigBucketBackupName(0) }).then(() => true, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${label} did not answer within 300 s:\n${log}`);
      await sleep(200);
    }
    const rssStart = rssMiB(child.pid!);
    await sleep(5000);
    const rssIdle = rssMiB(child.pid!);
    console.log(`${label}: ready; load ${load()}`);
    const getBackupsCold = await timed(client, 'GetBackups', {});
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) warm.push(await timed(client, 'GetBackups', {}));
    // Interleaved, so that both see the same moment of a noisy machine (and of the server's own
    // collection of what GetBackups left).
    const status: number[] = [];
    const checks: number[] = [];
    for (let i = 0; i < STATUS_CALLS; i++) {
      status.push(await timed(client, 'BackupStatus', { backupName: bigBucketBackupName(backups - 1) }));
      const t = performance.now();
      await healthCheck(client);
      checks.push(performance.now() - t);
    }
    const f = { rssStart, rssIdle, getBackupsCold, getBackupsWarm: median(warm), backupStatus: median(status), floor: median(checks), rssAfter: rssMiB(child.pid!) };
    console.log(
      `${label}: GetBackups cold ${(f.getBackupsCold / 1000).toFixed(2)} s, warm median ${(f.getBackupsWarm / 1000).toFixed(2)} s ` +
        `(${warm.map((w) => (w / 1000).toFixed(2)).join(' ')}); BackupStatus median ${f.backupStatus.toFixed(2)} ms; Health/Check (the floor) ${f.floor.toFixed(2)} ms; ` +
        `RSS ${f.rssStart.toFixed(0)} MiB at start, ${f.rssIdle.toFixed(0)} MiB idle, ${f.rssAfter.toFixed(0)} MiB after; load ${load()}`,
    );
    return f;
  } finally {
    client.close();
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

/**
 * Reads every file of the bucket once, so that both servers find it in the page cache: the server
 * measured first would otherwise pay the disk reads of a cold cache (left by other work on this
 * machine) for both, and a cold first GetBackups measured the disk, not the server.
 */
function warmPageCache(folder: string): number {
  let files = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files += warmPageCache(path);
    else if (entry.isFile()) {
      readFileSync(path);
      files++;
    }
  }
  return files;
}

const t0 = Date.now();
const big = ensureBigBucket(dir, backups, nodes);
console.log(`bucket ${dir} (${backups} backups x ${nodes} nodes) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; load ${load()}`);
const t1 = Date.now();
const warmed = warmPageCache(join(dir, big.bucket));
console.log(`page cache warmed: ${warmed} files read in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
const [ourPort, refPort] = await freePorts(2);
const ini = (port: number, name: string): string => {
  const file = join(dir, name);
  writeFileSync(file, `[storage]\nstorage_provider = local\nbase_path = ${dir}\nbucket_name = ${big.bucket}\nfqdn = ${big.hosts[0]}\n\n[cassandra]\nconfig_file = ${dir}/no-cassandra.yaml\n\n[grpc]\nenabled = 1\nport = ${port}\n`);
  return file;
};
const ours = await measure('medusa-ts grpc-server', [process.execPath, join(root, 'bin', 'medusa'), '--config-file', ini(ourPort!, 'agent-ours.ini'), 'grpc-server'], ourPort!);
const ref = await measure('Medusa 0.31 grpc server', [python, '-m', 'medusa.service.grpc.server', 'x', ini(refPort!, 'agent-ref.ini')], refPort!);
const ratio = (a: number, b: number): string => `${(b / a).toFixed(1)}x`;
console.log(`ratios (Medusa / ours): GetBackups cold ${ratio(ours.getBackupsCold, ref.getBackupsCold)}, warm ${ratio(ours.getBackupsWarm, ref.getBackupsWarm)}, BackupStatus ${ratio(ours.backupStatus, ref.backupStatus)} (target >= 10x)`);
console.log(
  `BackupStatus above the floor (its work, without the round trip): ours ${(ours.backupStatus - ours.floor).toFixed(2)} ms, ` +
    `Medusa ${(ref.backupStatus - ref.floor).toFixed(2)} ms; floors ${ours.floor.toFixed(2)} / ${ref.floor.toFixed(2)} ms (a 10x ratio needs the whole call under a tenth of Medusa's)`,
);
console.log(`idle RSS: ours ${ours.rssIdle.toFixed(0)} MiB, Medusa ${ref.rssIdle.toFixed(0)} MiB (target: below Medusa's) -> ${ours.rssIdle < ref.rssIdle ? 'met' : 'NOT met'}`);
