/**
 * `medusa doctor`'s `[ssh]` checks on a real 2-host cluster: run on node1 (over SSH, with the host's
 * own /etc/medusa/medusa.ini), it reaches every host of the topology over SSH and finds the medusa
 * command there (every line OK, exit 0); with node2's link cut, node2's SSH line fails with its fix
 * and the exit is 1. Prints each run's time (`# doctor time`).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterNodes } from '../harness/cluster-descriptor.js';
import { setHostLink } from '../harness/netns.js';
import { waitNodeReady } from '../harness/node-control.js';
import { sshRun } from '../harness/ssh-exec.js';
import { testCluster } from '../harness/test-env.js';
import { MEDUSA_BIN, scratchDir } from '../support/cli.js';
import { setUpMedusa, type MedusaClusterSetup } from './cluster-support.js';

let setup: MedusaClusterSetup;
let scratch: ReturnType<typeof scratchDir>;

before(async () => {
  const cluster = testCluster();
  for (const node of clusterNodes(cluster)) await waitNodeReady(node);
  scratch = scratchDir('medusa-cluster-doctor-');
  setup = setUpMedusa(cluster, join(scratch.dir, 'work'), join(scratch.dir, 'storage'), 'bucket');
  mkdirSync(join(scratch.dir, 'storage', 'bucket'));
});
after(() => {
  if (process.env.MEDUSA_TEST_KEEP !== '1') scratch.cleanup();
});

interface Check { id: string; status: string; detail: string; fix?: string }

async function doctorOnNode1(label: string): Promise<{ code: number | null; checks: Check[] }> {
  const { cluster } = setup;
  const env = `MEDUSA_SSH_KNOWN_HOSTS=${cluster.ssh.knownHostsPath} MEDUSA_REMOTE_COMMAND=${MEDUSA_BIN} SSH_AUTH_SOCK=`;
  const started = Date.now();
  const r = await sshRun(cluster, cluster.hosts[0]!, `${env} ${MEDUSA_BIN} --config-file /etc/medusa/medusa.ini doctor --output json`, 300_000);
  console.log(`# doctor time ${label}: ${((Date.now() - started) / 1000).toFixed(2)} s`);
  const report = JSON.parse(r.stdout) as { healthy: boolean; checks: Check[] };
  return { code: r.code, checks: report.checks };
}

test('every host answers over SSH and has medusa: all lines OK, exit 0', async () => {
  const r = await doctorOnNode1('cluster healthy');
  assert.deepEqual(r.checks.filter((c) => c.status !== 'ok'), [], JSON.stringify(r.checks));
  assert.equal(r.code, 0);
  const ssh = r.checks.filter((c) => c.id.startsWith('ssh:')).map((c) => c.id).sort();
  assert.deepEqual(ssh, setup.cluster.hosts.map((h) => `ssh:${h.address}`).sort());
});

test('a host cut off: its SSH line fails with its fix, exit 1', async () => {
  const host2 = setup.cluster.hosts[1]!;
  await setHostLink(host2.veth, false);
  try {
    const r = await doctorOnNode1('cluster host cut off');
    assert.equal(r.code, 1);
    const c = r.checks.find((x) => x.id === `ssh:${host2.address}`);
    assert.equal(c?.status, 'fail', JSON.stringify(r.checks));
    assert.match(c?.fix ?? '', /sshd|reaches/);
    assert.equal(r.checks.find((x) => x.id === `ssh:${setup.cluster.hosts[0]!.address}`)?.status, 'ok');
  } finally {
    await setHostLink(host2.veth, true);
    for (const node of clusterNodes(setup.cluster)) await waitNodeReady(node);
  }
});
