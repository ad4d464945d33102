/** backup-cluster and restore-cluster over a fake executor that records every host command. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TokenMap, TokenMapHost } from '../../../src/domain/tokenmap.js';
import type { MetricEvent, MetricTags } from '../../../src/monitoring/types.js';
import { noopProgress, type ProgressReporter } from '../../../src/transfer/progress.js';
import { backupCluster, type BackupClusterContext } from '../../../src/ops/backup-cluster.js';
import { describeMapping } from '../../../src/plan/restore-mapping.js';
import { RestoreClusterFailedError, restoreCluster, type RestoreClusterContext, type RestoreClusterOptions } from '../../../src/ops/restore-cluster.js';
import type { CommandOutcome, OutputSinks, RemoteExecutor } from '../../../src/remote/types.js';
import { LocalBackend } from '../../../src/storage/backends/local.js';
import { OperationAbortedError, OperationError, UsageError } from '../../../src/util/errors.js';
import { createLogger } from '../../../src/util/logger.js';
import { scratchDir } from '../../support/cli.js';
import { FakeClock } from '../../support/fake-clock.js';
import { writeFixtureBucket, type FixtureNodeBackup } from '../../support/fixture-bucket.js';

const log = createLogger({ verbosity: 0, withoutTimestamp: true });

/** Records `host: command` (the command found inside the job wrapper) and fails as `fail` says. */
class RecordingExecutor implements RemoteExecutor {
  readonly calls: { host: string; command: string }[] = [];
  constructor(private readonly fail: (host: string, command: string) => CommandOutcome | undefined = () => undefined) {}
  run(host: string, line: string, sinks: OutputSinks): Promise<CommandOutcome> {
    const inner = /\( ([\s\S]*)\n\) >stdout/.exec(line)?.[1] ?? line;
    const command = inner.replaceAll(`'"'"'`, "'");
    this.calls.push({ host, command });
    const outcome = this.fail(host, command);
    if (outcome && outcome.failure) sinks.stderr(Buffer.from(`boom on ${host}\n`));
    return Promise.resolve(outcome ?? { exitCode: 0 });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  of(pattern: RegExp): string[] {
    return this.calls.filter((c) => pattern.test(c.command)).map((c) => c.host);
  }
}

function tm(hosts: Record<string, number[]>): TokenMap {
  return new Map(Object.entries(hosts).map(([k, t]): [string, TokenMapHost] => [k, { tokens: t.map(BigInt), is_up: true, rack: 'r1', dc: 'dc1' }]));
}

let scratch: ReturnType<typeof scratchDir>;
let storage: LocalBackend;
const tokenmap = { n1: { tokens: [10n], isUp: true, rack: 'r1', dc: 'dc1' }, n2: { tokens: [-5n], isUp: true, rack: 'r1', dc: 'dc1' } };
const nb = (name: string, fqdn: string, finished: number | undefined): FixtureNodeBackup => ({
  name,
  fqdn,
  mode: 'differential',
  started: 1_700_000_000,
  ...(finished !== undefined ? { finished } : {}),
  tokenmap,
  schema: "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'};\n\nCREATE TABLE ks.t (id int PRIMARY KEY);\n",
  sections: [{ keyspace: 'ks', columnfamily: 't-0123', objects: [{ file: 'nb-1-big-Data.db', content: 'x' }] }],
});

before(() => {
  scratch = scratchDir('medusa-cluster-ops-');
  writeFixtureBucket(join(scratch.dir, 'base'), 'bucket', { nodeBackups: [nb('b1', 'n1', 1_700_000_100), nb('b1', 'n2', 1_700_000_100), nb('b2', 'n1', 1_700_000_200), nb('b2', 'n2', undefined)] });
  storage = new LocalBackend({ root: join(scratch.dir, 'base', 'bucket') });
});
after(() => scratch.cleanup());

function metricsRecorder(): { sent: [MetricTags, number][]; send: (t: MetricTags, v: number) => Promise<void>; close: () => Promise<void> } {
  const sent: [MetricTags, number][] = [];
  return { sent, send: (t, v) => Promise.resolve(void sent.push([t, v])), close: () => Promise.resolve() };
}

function backupCtx(executor: RemoteExecutor, metrics = metricsRecorder()): BackupClusterContext {
  return {
    storage,
    layout: { prefix: undefined },
    log,
    executor,
    readTopology: () => Promise.resolve(tm({ n1: [10], n2: [-5] })),
    nodetool: { nodetool_executable: 'nodetool', nodetool_flags: ['-Dx=y'], nodetool_ssl: false },
    medusa: { command: '/opt/medusa', globals: ['--config-file=/etc/m.ini'] },
    metrics,
    clock: new FakeClock(),
    reattachDelayMs: 1,
  };
}
const backupOpts = { enableMd5Checks: false, mode: 'differential' as const, parallelSnapshots: 5, parallelUploads: 1, keepSnapshot: false, useExistingSnapshot: false };

test('backup-cluster: snapshots everywhere first, then backup-node on each host in ring order with the flags', async () => {
  const ex = new RecordingExecutor();
  const metrics = metricsRecorder();
  const r = await backupCluster(backupCtx(ex, metrics), { ...backupOpts, backupName: 'new', stagger: 600, tempDir: scratch.dir });
  assert.deepEqual(r.hosts, ['n2', 'n1']);
  const hold = /backup-hold-\d+-[0-9a-f]{12}\.lock/.exec(ex.calls[0]?.command ?? '')?.[0] ?? 'no hold';
  // The hold each host's snapshot command writes first: its own record, shown here as [hold <fqdn>].
  const shown = ex.calls.map((c) => `${c.host}: ${c.command}`.replace(/\( d=.*printf '%s\\n' '(\{.*?\})'.* >&2; /, (_, json: string) => {
    const record = JSON.parse(json) as { fqdn: string; backupName: string; pid: number; expires: string };
    assert.equal(record.pid, process.pid);
    // Two hosts, one at a time: two 48-hour backup timeouts after the snapshot's 10 minutes.
    assert.equal(Date.parse(record.expires), new FakeClock().now() + 600_000 + 2 * 48 * 3600_000);
    return `[hold ${record.fqdn} ${record.backupName}] `;
  }).replace(hold, 'HOLD'));
  assert.deepEqual(shown, [
    'n2: [hold n2 new] nodetool -Dx=y snapshot -t medusa-new',
    'n1: [hold n1 new] nodetool -Dx=y snapshot -t medusa-new',
    'n2: /opt/medusa --config-file=/etc/m.ini backup-node --backup-name=new --stagger=600 --mode=differential',
    'n1: /opt/medusa --config-file=/etc/m.ini backup-node --backup-name=new --stagger=600 --mode=differential',
    'n2: rm -f "${MEDUSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medusa-ts}/backup-locks"/HOLD',
    'n1: rm -f "${MEDUSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medusa-ts}/backup-locks"/HOLD',
  ]);
  assert.deepEqual(metrics.sent.map(([t, v]) => `${t[1]}=${v}`), [`cluster-backup-duration=${r.seconds}`, 'cluster-backup-error=0']);
});

test('backup-cluster: an existing name is refused before any host is touched', async () => {
  const ex = new RecordingExecutor();
  await assert.rejects(backupCluster(backupCtx(ex), { ...backupOpts, backupName: 'b1', tempDir: scratch.dir }), /Backup b1 already exists/);
  assert.equal(ex.calls.length, 0);
});

test('backup-cluster: a failed host ends it with its name and log, and the snapshots are cleared everywhere', async () => {
  const ex = new RecordingExecutor((host, cmd) => (host === 'n1' && cmd.includes('backup-node') ? { exitCode: 2, failure: { kind: 'exit', message: 'exit code 2' } } : undefined));
  const metrics = metricsRecorder();
  await assert.rejects(backupCluster(backupCtx(ex, metrics), { ...backupOpts, backupName: 'x1', tempDir: scratch.dir }), (e: Error) => {
    assert.ok(e instanceof OperationError);
    assert.match(e.message, /backup-node failed on n1:\n {2}n1 \[backup\]: exit code 2 \(boom on n1\) \(log: .*\/n1\/backup\)/);
    return true;
  });
  assert.deepEqual(ex.of(/clearsnapshot -t medusa-x1/), ['n2', 'n1']);
  assert.deepEqual(metrics.sent.at(-1)?.[1], 1);
});

test('backup-cluster: a host that cannot be reached at snapshot time: no backup-node anywhere, snapshots cleared', async () => {
  const ex = new RecordingExecutor((host) => (host === 'n2' ? { exitCode: undefined, failure: { kind: 'unreachable', message: 'n2: connect EHOSTUNREACH' } } : undefined));
  await assert.rejects(backupCluster(backupCtx(ex), { ...backupOpts, backupName: 'x2', tempDir: scratch.dir }), /snapshot failed on n2:\n {2}n2 \[snapshot\]: unreachable: n2: connect EHOSTUNREACH/);
  assert.deepEqual(ex.of(/backup-node/), []);
  assert.deepEqual(ex.of(/clearsnapshot/), ['n2', 'n1']);
  assert.deepEqual(ex.of(/^rm -f .*backup-hold-/), ['n2', 'n1'], 'the holds go too');
});

test('backup-cluster: --use-existing-snapshot takes no snapshot and clears none of the user\'s', async () => {
  const ex = new RecordingExecutor((host, cmd) => (cmd.includes('backup-node') && host === 'n2' ? { exitCode: 1, failure: { kind: 'exit', message: 'exit code 1' } } : undefined));
  await assert.rejects(backupCluster(backupCtx(ex), { ...backupOpts, useExistingSnapshot: true, backupName: 'x3', tempDir: scratch.dir }));
  assert.deepEqual(ex.of(/nodetool/), []);
  assert.match(ex.calls[0]!.command, /--use-existing-snapshot$/);
});

test('backup-cluster: an abort during the snapshots stops it before any upload; the snapshots are cleared everywhere', async () => {
  const stop = new AbortController();
  const ex = new RecordingExecutor((_host, cmd) => {
    if (cmd.includes(' snapshot -t ')) stop.abort(new Error('SIGTERM'));
    return undefined;
  });
  await assert.rejects(
    backupCluster({ ...backupCtx(ex), signal: stop.signal }, { ...backupOpts, backupName: 'x4', tempDir: scratch.dir }),
    (e: unknown) => e instanceof OperationAbortedError && e.message === 'Backup x4 stopped: SIGTERM',
  );
  assert.deepEqual(ex.of(/backup-node/), []);
  assert.deepEqual(ex.of(/clearsnapshot -t medusa-x4/), ['n2', 'n1']);
});

function restoreCtx(executor: RemoteExecutor, over: Partial<RestoreClusterContext> = {}): RestoreClusterContext & { printed: string[]; cql: string[]; asked: string[] } {
  const printed: string[] = [];
  const cql: string[] = [];
  const asked: string[] = [];
  return {
    storage,
    layout: { prefix: undefined },
    log,
    executor,
    readTopology: () => Promise.resolve(tm({ n1: [10], n2: [-5] })),
    seeds: () => Promise.resolve(new Set(['n2'])),
    executeCql: (host, st) => Promise.resolve(void cql.push(...st.map((s) => `${host}: ${s.split('\n')[0]!}`))),
    readHostList: () => Promise.resolve('True,t1,n1\nFalse,t2,n2\n'),
    waitUp: () => Promise.resolve(),
    confirm: (q) => {
      asked.push(q);
      return Promise.resolve(false);
    },
    onMapping: (m) => void printed.push(...describeMapping(m)),
    stopCmd: '/etc/stop',
    hostFileSeparator: ',',
    medusa: { command: 'medusa', globals: [] },
    metrics: metricsRecorder(),
    clock: new FakeClock(),
    reattachDelayMs: 1,
    printed,
    cql,
    asked,
    ...over,
  };
}
const restoreOpts = (o: Partial<RestoreClusterOptions>): RestoreClusterOptions => ({
  backupName: 'b1',
  tempDir: scratch.dir,
  bypassChecks: true,
  verify: false,
  keyspaces: [],
  tables: [],
  useSstableloader: false,
  parallelRestores: 10,
  versionTarget: '4.0.0',
  ignoreRacks: false,
  ...o,
});

test('restore-cluster: usage errors, incomplete backup refused without -y, nothing confirmed = nothing done', async () => {
  const ex = new RecordingExecutor();
  await assert.rejects(restoreCluster(restoreCtx(ex), restoreOpts({ seedTarget: 'n1', hostList: 'x' })), UsageError);
  await assert.rejects(restoreCluster(restoreCtx(ex), restoreOpts({ backupName: 'b2', seedTarget: 'n1', bypassChecks: false })), /Backup b2 is incomplete \(unfinished on n2\)/);
  const ctx = restoreCtx(ex);
  await assert.rejects(restoreCluster(ctx, restoreOpts({ seedTarget: 'n1', bypassChecks: false })), /not confirmed/);
  assert.deepEqual(ctx.asked, ['proceed']);
  assert.deepEqual(ctx.printed, ['Restore mode: copy, in place', '  n2 <- n2 (seed)', '  n1 <- n1']);
  assert.equal(ex.calls.length, 0);
});

test('restore-cluster in place: stop everywhere, the seed first, then the others with --seeds', async () => {
  const ex = new RecordingExecutor();
  const ctx = restoreCtx(ex);
  const r = await restoreCluster(ctx, restoreOpts({ seedTarget: 'n1', keyspaces: ['ks'] }));
  assert.deepEqual(
    ex.calls.map((c) => `${c.host}: ${c.command}`),
    [
      'n2: /etc/stop',
      'n1: /etc/stop',
      `n2: medusa --fqdn=n2 restore-node --in-place --no-verify --backup-name=b1 --temp-dir=${scratch.dir} --version-target=4.0.0 --keyspace=ks`,
      `n1: medusa --fqdn=n1 restore-node --in-place --seeds=n2 --no-verify --backup-name=b1 --temp-dir=${scratch.dir} --version-target=4.0.0 --keyspace=ks`,
    ],
  );
  assert.deepEqual(r.restored, ['n2', 'n1']);
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.notAttempted, []);
});

test('restore-cluster with a host list: remote, keep-auth asked unless given; a failed seed leaves the others untouched and named', async () => {
  const ex = new RecordingExecutor((host, cmd) => (host === 't1' && cmd.includes('restore-node') ? { exitCode: 1, failure: { kind: 'exit', message: 'exit code 1' } } : undefined));
  const ctx = restoreCtx(ex);
  await assert.rejects(restoreCluster(ctx, restoreOpts({ hostList: 'hosts.csv', keepAuth: true })), (e: Error) => {
    assert.match(e.message, /1 host\(s\) failed, 1 not attempted \(t2\); restored: none/);
    assert.match(e.message, /t1 \[restore\]: exit code 1/);
    assert.ok(e instanceof RestoreClusterFailedError);
    assert.deepEqual(e.result.restored, []);
    assert.deepEqual(e.result.failed.map((f) => f.host), ['t1']);
    assert.deepEqual(e.result.notAttempted, ['t2']);
    return true;
  });
  assert.deepEqual(ex.of(/restore-node/), ['t1']);
  assert.match(ex.calls.find((c) => c.command.includes('restore-node'))!.command, /--fqdn=n1 restore-node --remote --keep-auth --no-verify/);
  assert.deepEqual(ctx.asked, [], '--keep-auth and -y given: nothing asked');
});

test('restore-cluster onto a different topology: schema recreated on the seed, sstableloader on every target with its sources', async () => {
  const ex = new RecordingExecutor();
  const ctx = restoreCtx(ex, { readTopology: () => Promise.resolve(tm({ big: [1] })), seeds: () => Promise.resolve(new Set()) });
  const r = await restoreCluster(ctx, restoreOpts({ seedTarget: 'big', keepAuth: false }));
  assert.equal(r.mapping.useSstableloader, true);
  assert.deepEqual(ctx.cql, ['big: CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {\'class\': \'SimpleStrategy\', \'replication_factor\': \'1\'}', 'big: DROP TABLE IF EXISTS ks.t', 'big: CREATE TABLE ks.t (id int PRIMARY KEY)']);
  assert.deepEqual(ex.calls.map((c) => `${c.host}: ${c.command}`), [`big: medusa --fqdn=n2,n1 restore-node --remote --no-verify --backup-name=b1 --temp-dir=${scratch.dir} --use-sstableloader --version-target=4.0.0`]);
});

test('restore-cluster without local seeds: the seed target is restored first and the others wait for it', async () => {
  const ex = new RecordingExecutor();
  const waited: string[] = [];
  const ctx = restoreCtx(ex, { seeds: () => Promise.resolve(new Set()), waitUp: (h) => Promise.resolve(void waited.push(h)) });
  await restoreCluster(ctx, restoreOpts({ seedTarget: 'n1' }));
  assert.deepEqual(ex.of(/restore-node/), ['n1', 'n2']);
  assert.match(ex.calls.at(-1)!.command, /--seeds=n1/);
  assert.deepEqual(waited, ['n1', 'n1', 'n2'], 'the seed is up before the others start, and every host at the end');
});

/** A metrics sink that keeps the events it is given, and a progress reporter that keeps host steps. */
function eventsAndSteps(): { metrics: ReturnType<typeof metricsRecorder> & { events: MetricEvent[]; record: (e: MetricEvent) => Promise<void> }; progress: ProgressReporter; steps: string[] } {
  const events: MetricEvent[] = [];
  const steps: string[] = [];
  const progress: ProgressReporter = { ...noopProgress, end: () => void steps.push('end'), hostStep: (h, step, state) => void steps.push(`${h} ${step} ${state}`) };
  return { metrics: { ...metricsRecorder(), events, record: (e) => Promise.resolve(void events.push(e)) }, progress, steps };
}

test('backup-cluster: the cluster-job event (hosts by outcome) and each host\'s steps, success and failure', async () => {
  const ok = eventsAndSteps();
  await backupCluster({ ...backupCtx(new RecordingExecutor(), ok.metrics), progress: ok.progress, fqdn: 'admin1' }, { ...backupOpts, backupName: 'ev1', tempDir: scratch.dir });
  assert.deepEqual(ok.metrics.events.map((e) => e.kind === 'cluster-job' && [e.command, e.fqdn, e.backupName, e.ok, e.hosts]), [['backup-cluster', 'admin1', 'ev1', true, { ok: 2, failed: 0, notAttempted: 0 }]]);
  // Snapshots run in parallel, so their events interleave in any order; each host's own order is fixed.
  const snapshots = ok.steps.slice(0, 6);
  for (const host of ['n2', 'n1']) assert.deepEqual(snapshots.filter((s) => s.startsWith(`${host} `)), [`${host} snapshot waiting`, `${host} snapshot running`, `${host} snapshot done`]);
  // Uploads run one host at a time (parallelUploads 1), in ring order, after every snapshot is done.
  assert.deepEqual(ok.steps.slice(6), ['n2 backup waiting', 'n1 backup waiting', 'n2 backup running', 'n2 backup done', 'n1 backup running', 'n1 backup done', 'end']);
  const bad = eventsAndSteps();
  const ex = new RecordingExecutor((host, cmd) => (host === 'n1' && cmd.includes('backup-node') ? { exitCode: 2, failure: { kind: 'exit', message: 'exit code 2' } } : undefined));
  await assert.rejects(backupCluster({ ...backupCtx(ex, bad.metrics), progress: bad.progress, fqdn: 'admin1' }, { ...backupOpts, backupName: 'ev2', tempDir: scratch.dir }));
  assert.deepEqual(bad.metrics.events.map((e) => e.kind === 'cluster-job' && [e.ok, e.hosts]), [[false, { ok: 1, failed: 1, notAttempted: 0 }]]);
  assert.ok(bad.steps.includes('n1 backup failed'));
});

test('restore-cluster: the cluster-job event counts restored, failed and not attempted hosts; wait-up is a step', async () => {
  const ok = eventsAndSteps();
  await restoreCluster({ ...restoreCtx(new RecordingExecutor(), { metrics: ok.metrics }), progress: ok.progress, fqdn: 'admin1' }, restoreOpts({ seedTarget: 'n1' }));
  assert.deepEqual(ok.metrics.events.map((e) => e.kind === 'cluster-job' && [e.command, e.ok, e.hosts]), [['restore-cluster', true, { ok: 2, failed: 0, notAttempted: 0 }]]);
  assert.ok(ok.steps.includes('n2 wait-up done') && ok.steps.includes('n1 restore done'), ok.steps.join(', '));
  assert.equal(ok.steps.at(-1), 'end');
  const bad = eventsAndSteps();
  const ex = new RecordingExecutor((host, cmd) => (host === 't1' && cmd.includes('restore-node') ? { exitCode: 1, failure: { kind: 'exit', message: 'exit code 1' } } : undefined));
  await assert.rejects(restoreCluster({ ...restoreCtx(ex, { metrics: bad.metrics }), progress: bad.progress }, restoreOpts({ hostList: 'hosts.csv', keepAuth: true })), RestoreClusterFailedError);
  assert.deepEqual(bad.metrics.events.map((e) => e.kind === 'cluster-job' && [e.ok, e.hosts]), [[false, { ok: 0, failed: 1, notAttempted: 1 }]]);
});
