/**
 * Benchmark: memory of the gRPC agent during a 2 GB backup taken through AsyncBackup (target:
 * peak RSS < 250 MiB), ours (`medusa grpc-server`) and Medusa 0.31's own server side by side as
 * the baseline, on a real Cassandra node of this bench's own (harness API), to local storage.
 *
 * The node holds a small real table; the 2 GB (6 x 256 MiB, 40 x 8 MiB, 2,000 x 64 KiB files, as
 * bench/backup-full.ts) are prepared once beside it and hard-linked into every snapshot the node
 * takes, by a wrapper around the node's real nodetool (`snapshot -t TAG` runs nodetool, then links
 * the prepared files under `<data>/<ks>/<table>/snapshots/TAG/`; `clearsnapshot -t TAG` removes
 * them). Both servers see the same snapshot route, CQL and storage provider.
 *
 * Per server: RSS when it first answers, then AsyncBackup, BackupStatus polled every 500 ms until
 * it leaves IN_PROGRESS, RSS sampled every 100 ms meanwhile; the peak (VmHWM) and the time to
 * SUCCESS are printed with the load average. The servers run one after the other.
 *
 * Usage: flock /work/locks/heavy.lock node --import tsx bench/agent-backup.ts [--dir DIR] [--skip-medusa]
 * Needs `npm run build`, Java 17 + Maven (the harness node), and the reference venv for Medusa.
 */
import { credentials, makeGenericClientConstructor, status as GrpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { medusaServiceDefinition } from '../src/agent/wire.js';
import { withCql } from '../test/harness/cql-client.js';
import { createKeyspace, createTable, flush, writeRows } from '../test/harness/cql-helpers.js';
import { freePorts } from '../test/harness/free-ports.js';
import { startSingleNode, stopSingleNode } from '../test/harness/single-node.js';
import { BENCH_TAG, MiB, writeSnapshot } from './backup-lib.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { dir: { type: 'string' }, 'skip-medusa': { type: 'boolean', default: false } } });
const dir = values.dir ?? join(root, '.cache', 'bench', 'agent-backup');
const python = process.env['MEDUSA_PY_PYTHON'] ?? join(root, '.cache', 'python-medusa', 'bin', 'python');
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const status = (pid: number, field: 'VmRSS' | 'VmHWM'): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Unary = (request: object, callback: (err: ServiceError | null, response?: Record<string, unknown>) => void) => void;
const MedusaClient = makeGenericClientConstructor(medusaServiceDefinition(), 'Medusa');
function call(client: Client, rpc: string, request: object): Promise<Record<string, unknown>> {
  const method = (client as unknown as Record<string, Unary>)[rpc]!.bind(client);
  return new Promise((resolve, reject) => method(request, (err, response) => (err ? reject(err) : resolve(response!))));
}

/** The node's nodetool, plus the prepared files in every snapshot it takes (see the header). */
function writeNodetoolWrapper(path: string, realNodetool: string, stage: string, dataDir: string): void {
  writeFileSync(path, `#!/usr/bin/env bash
# Bench only (bench/agent-backup.ts): the real nodetool, then the prepared files linked into the snapshot.
set -e
"${realNodetool}" "$@"
sub=""; tag=""; args=("$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  case "\${args[$i]}" in snapshot|clearsnapshot) sub=\${args[$i]} ;; -t) tag=\${args[$((i + 1))]} ;; esac
done
[ -n "$tag" ] || exit 0
cd "${stage}"
for d in */*/snapshots/${BENCH_TAG}; do
  t="${dataDir}/\${d%/snapshots/${BENCH_TAG}}/snapshots/$tag"
  if [ "$sub" = snapshot ]; then mkdir -p "$t" && cp -al "$d"/. "$t"/; fi
  if [ "$sub" = clearsnapshot ]; then rm -rf "$t"; fi
done
`);
  chmodSync(path, 0o755);
}

async function measure(label: string, argv: string[], port: number, backupName: string): Promise<{ startRss: number; peak: number; seconds: number; outcome: string }> {
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC', MEDUSA_CACHE_DIR: join(dir, 'cache') } });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-6000)));
  const client = new MedusaClient(`127.0.0.1:${port}`, credentials.createInsecure()) as Client;
  try {
    for (const deadline = Date.now() + 300_000; ; await sleep(200)) {
      if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode}):\n${log}`);
      if (await call(client, 'GetBackups', {}).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`${label} did not answer within 300 s:\n${log}`);
    }
    const startRss = status(child.pid!, 'VmRSS');
    let peakSampled = startRss;
    const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, status(child.pid!, 'VmRSS'))), 100);
    const t0 = performance.now();
    await call(client, 'AsyncBackup', { name: backupName, mode: 'FULL' });
    let outcome = 'IN_PROGRESS';
    for (const deadline = Date.now() + 1_800_000; outcome === 'IN_PROGRESS'; await sleep(500)) {
      outcome = await call(client, 'BackupStatus', { backupName }).then((r) => String(r['status']), (e: ServiceError) => (e.code === GrpcStatus.NOT_FOUND ? 'IN_PROGRESS' : `error ${e.details}`));
      if (Date.now() > deadline) throw new Error(`${label}: backup still running after 30 min`);
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const peak = Math.max(peakSampled, status(child.pid!, 'VmHWM'));
    console.log(`${label}: backup ${outcome} in ${seconds.toFixed(1)} s; RSS ${startRss.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB; load ${load()}`);
    if (outcome !== 'SUCCESS') console.log(log);
    return { startRss, peak, seconds, outcome };
  } finally {
    client.close();
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

mkdirSync(dir, { recursive: true });
const stage = join(dir, 'stage');
process.stderr.write(`preparing 2 GB in ${stage} (once)...\n`);
const set = writeSnapshot(stage, [
  { count: 6, size: 256 * MiB, component: 'Data.db' },
  { count: 40, size: 8 * MiB, component: 'Index.db' },
  { count: 2000, size: 64 * 1024, component: 'Filter.db' },
], 40);
console.log(`prepared ${set.files} files, ${(set.bytes / MiB).toFixed(0)} MiB; load ${load()}`);
const nodeDir = join(dir, 'node');
rmSync(nodeDir, { recursive: true, force: true });
const node = await startSingleNode({ dir: nodeDir, name: 'bench-agent' });
try {
  await withCql([node], async (c) => {
    await createKeyspace(c, 'bench_real');
    await createTable(c, 'bench_real', 'rows');
    await writeRows(c, 'bench_real', 'rows', 1000);
  });
  await flush(node, 'bench_real');
  const wrapper = join(dir, 'nodetool-with-prepared-files');
  writeNodetoolWrapper(wrapper, node.bin.nodetool, stage, node.dataDirs[0]!);
  const [ourPort, refPort] = await freePorts(2);
  const ini = (name: string, port: number): string => {
    const file = join(dir, `${name}.ini`);
    rmSync(join(dir, `store-${name}`), { recursive: true, force: true });
    writeFileSync(file, [
      '[storage]', 'storage_provider = local', `base_path = ${join(dir, `store-${name}`)}`, 'bucket_name = bucket', `fqdn = ${node.host}`, 'concurrent_transfers = 2',
      '[cassandra]', `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${wrapper}`, 'resolve_ip_addresses = False',
      '[grpc]', 'enabled = 1', `port = ${port}`, '',
    ].join('\n'));
    return file;
  };
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  const ours = await measure('medusa-ts grpc-server', [process.execPath, join(root, 'bin', 'medusa'), '--config-file', ini('ours', ourPort!), 'grpc-server'], ourPort!, 'rss-ours');
  console.log(`target: peak RSS < 250 MiB -> ${ours.outcome === 'SUCCESS' && ours.peak < 250 ? 'met' : 'NOT met'} (${ours.peak.toFixed(0)} MiB)`);
  if (!values['skip-medusa']) {
    if (!existsSync(python)) throw new Error(`${python} is missing: run the python-medusa test environment once, or pass --skip-medusa`);
    const ref = await measure('Medusa 0.31 grpc server', [python, '-m', 'medusa.service.grpc.server', 'x', ini('ref', refPort!)], refPort!, 'rss-ref');
    if (ref.outcome === 'SUCCESS') console.log(`ratios (Medusa / ours): peak RSS ${(ref.peak / ours.peak).toFixed(1)}x, backup time ${(ref.seconds / ours.seconds).toFixed(1)}x`);
  }
} finally {
  await stopSingleNode(nodeDir, 30).catch((err: unknown) => console.error(`stopping the bench node: ${String(err)}`));
  spawnSync('rm', ['-rf', nodeDir, join(dir, 'store-ours'), join(dir, 'store-ref')]);
}
