/**
 * backup-cluster and restore-cluster in place on a real multi-host cluster (MEDUSA_TEST_CLUSTER,
 * 2 hosts in CI, 3 with MEDUSA_TEST_CLUSTER_HOSTS=3): back up over SSH, list it complete, write
 * more, restore in place, the row count is back; then a host cut off during backup-cluster fails
 * clearly, naming it, and leaves no snapshot on the other hosts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterNodes } from '../harness/cluster-descriptor.js';
import { countRows, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { setHostLink } from '../harness/netns.js';
import { waitNodeReady } from '../harness/node-control.js';
import { rootViewPath } from '../harness/node-descriptor.js';
import { testCluster } from '../harness/test-env.js';
import { scratchDir } from '../support/cli.js';
import { medusa, setUpMedusa, withClusterCql, type MedusaClusterSetup } from './cluster-support.js';

const KS = 'i8_inplace';
let setup: MedusaClusterSetup;
let scratch: ReturnType<typeof scratchDir>;

before(async () => {
  const cluster = testCluster();
  // Another test file may have left a node restarting.
  for (const node of clusterNodes(cluster)) await waitNodeReady(node);
  scratch = scratchDir('medusa-cluster-inplace-');
  setup = setUpMedusa(cluster, join(scratch.dir, 'work'), join(scratch.dir, 'storage'), 'bucket');
});

after(async () => {
  await withClusterCql(setup.cluster, (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
  if (process.env.MEDUSA_TEST_KEEP !== '1') scratch.cleanup();
});

function snapshotDirs(tag: string): string[] {
  const found: string[] = [];
  for (const node of clusterNodes(setup.cluster)) {
    for (const dataDir of node.dataDirs) {
      const root = rootViewPath(node, dataDir);
      if (!existsSync(root)) continue;
      for (const ks of readdirSync(root)) {
        for (const t of readdirSync(join(root, ks))) {
          if (existsSync(join(root, ks, t, 'snapshots', tag))) found.push(`${node.name}:${ks}/${t}`);
        }
      }
    }
  }
  return found;
}

/** The per-host step logs of every cluster job under `tempDir` (`<job>/<host>/<step>/stderr`). */
function stepLogs(tempDir: string): Array<{ host: string; step: string; stderr: string }> {
  const out: Array<{ host: string; step: string; stderr: string }> = [];
  for (const job of readdirSync(tempDir)) {
    const jobDir = join(tempDir, job);
    if (!statSync(jobDir).isDirectory()) continue;
    for (const host of readdirSync(jobDir)) {
      if (!statSync(join(jobDir, host)).isDirectory()) continue;
      for (const step of readdirSync(join(jobDir, host))) {
        const file = join(jobDir, host, step, 'stderr');
        if (existsSync(file)) out.push({ host, step, stderr: readFileSync(file, 'utf8') });
      }
    }
  }
  return out;
}

test('backup-cluster, list-backups complete, more writes, restore-cluster in place: the rows of the backup are back', async () => {
  const hosts = setup.cluster.hosts.length;
  await withClusterCql(setup.cluster, async (c) => {
    await createKeyspace(c, KS, { dc1: Math.min(2, hosts) });
    await createTable(c, KS, 'items', { secondaryIndex: true });
    await writeRows(c, KS, 'items', 300);
  });
  for (const node of clusterNodes(setup.cluster)) await flush(node, KS);

  const backup = await medusa(setup, ['backup-cluster', '--backup-name=b1', `--seed-target=${setup.cluster.hosts[0]!.address}`, `--temp-dir=${setup.tempDir}`]);
  assert.equal(backup.status, 0, `backup-cluster failed:\n${backup.stderr}`);
  assert.match(backup.stdout, new RegExp(`Backup done on ${hosts} hosts`));
  assert.deepEqual(snapshotDirs('medusa-b1'), [], 'snapshots cleared after the backup');
  // Every host's snapshot command wrote its hold (nothing on its stderr), and every hold was released.
  const steps = stepLogs(setup.tempDir);
  assert.equal(steps.filter((s) => s.step === 'snapshot').length, hosts, JSON.stringify(steps));
  for (const s of steps.filter((x) => x.step === 'snapshot')) assert.doesNotMatch(s.stderr, /snapshot hold/, `${s.host}: ${s.stderr}`);
  assert.equal(steps.filter((s) => s.step === 'release-hold').length, hosts, JSON.stringify(steps));

  const list = await medusa(setup, ['list-backups']);
  assert.equal(list.status, 0, list.stderr);
  const line = list.stdout.split('\n').find((l) => l.startsWith('b1 '));
  assert.ok(line, list.stdout);
  assert.doesNotMatch(line, /Incomplete/);

  await withClusterCql(setup.cluster, (c) => writeRows(c, KS, 'items', 200, 300));
  assert.equal(await withClusterCql(setup.cluster, (c) => countRows(c, KS, 'items')), 500);

  const restore = await medusa(setup, ['restore-cluster', '--backup-name=b1', `--seed-target=${setup.cluster.hosts[0]!.address}`, `--temp-dir=${setup.tempDir}`, '-y'], { timeoutMs: 1_200_000 });
  assert.equal(restore.status, 0, `restore-cluster failed:\n${restore.stdout}\n${restore.stderr}`);
  assert.match(restore.stdout, /Restore mode: copy, in place/);
  assert.match(restore.stdout, new RegExp(`Restored: ${setup.cluster.hosts.map((h) => h.address.replaceAll('.', '\\.')).join('.*')}`));
  assert.equal(await withClusterCql(setup.cluster, (c) => countRows(c, KS, 'items')), 300);
});

test('restore-cluster without -y and nothing on stdin does not proceed', async () => {
  const r = await medusa(setup, ['restore-cluster', '--backup-name=b1', `--seed-target=${setup.cluster.hosts[0]!.address}`, `--temp-dir=${setup.tempDir}`]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /not confirmed/);
  assert.match(r.stdout, /Restore mode: copy, in place/);
});

test('a host cut off during backup-cluster: exit 1 naming it, no snapshot left on the others', async () => {
  const lost = setup.cluster.hosts[setup.cluster.hosts.length - 1]!;
  await setHostLink(lost.veth, false);
  try {
    const r = await medusa(setup, ['backup-cluster', '--backup-name=b2', `--seed-target=${setup.cluster.hosts[0]!.address}`, `--temp-dir=${setup.tempDir}`]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${lost.address.replaceAll('.', '\\.')} \\[snapshot\\]: (unreachable|connection-refused|connection-lost|timeout)`));
    assert.match(r.stderr, /log: /);
  } finally {
    await setHostLink(lost.veth, true);
  }
  assert.deepEqual(snapshotDirs('medusa-b2'), [], 'no snapshot of the failed backup on any host');
});
