/**
 * backup-cluster's per-host progress on a real pseudo-terminal (`script`) on the harness cluster:
 * one line per host naming its step (snapshot, backup) and state, redrawn in place (cursor up +
 * erase below) and erased at the end; the same command in a pipe, as under cron, draws none of it;
 * with `--output json` stdout is the one summary document.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterNodes } from '../harness/cluster-descriptor.js';
import { createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { waitNodeReady } from '../harness/node-control.js';
import { testCluster } from '../harness/test-env.js';
import { MEDUSA_BIN, scratchDir } from '../support/cli.js';
import { medusa, setUpMedusa, withClusterCql, type MedusaClusterSetup } from './cluster-support.js';

const KS = 'progress_tty_cluster';
let setup: MedusaClusterSetup;
let scratch: ReturnType<typeof scratchDir>;

before(async () => {
  const cluster = testCluster();
  for (const node of clusterNodes(cluster)) await waitNodeReady(node);
  scratch = scratchDir('medusa-cluster-progress-');
  setup = setUpMedusa(cluster, join(scratch.dir, 'work'), join(scratch.dir, 'storage'), 'bucket');
  await withClusterCql(cluster, async (c) => {
    await createKeyspace(c, KS);
    await createTable(c, KS, 't');
    await writeRows(c, KS, 't', 200);
  });
  for (const node of clusterNodes(cluster)) await flush(node, KS);
});

after(async () => {
  await withClusterCql(setup.cluster, (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
  if (process.env.MEDUSA_TEST_KEEP !== '1') scratch.cleanup();
});

test('on a terminal: one line per host with its step and state, redrawn in place and erased at the end', () => {
  const log = join(scratch.dir, 'tty.log');
  const args = [MEDUSA_BIN, `--config-file=${setup.ini}`, 'backup-cluster', '--backup-name', 'tty1', `--temp-dir=${setup.tempDir}`, '--remote-config-file=/etc/medusa/medusa.ini'];
  const r = spawnSync('script', ['-q', '-e', '-c', args.map((a) => `'${a}'`).join(' '), log], {
    env: { ...process.env, TZ: 'UTC', MEDUSA_SSH_KNOWN_HOSTS: setup.cluster.ssh.knownHostsPath, MEDUSA_REMOTE_COMMAND: MEDUSA_BIN, SSH_AUTH_SOCK: '' },
    encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const screen = readFileSync(log, 'utf8');
  assert.equal(r.status, 0, `${r.stderr}\n${screen.slice(-3000)}`);
  const hosts = setup.cluster.hosts.map((h) => h.address);
  for (const host of hosts) {
    for (const step of ['snapshot', 'backup']) {
      assert.match(screen, new RegExp(`(^|\\n|\\x1b\\[J)${host.replaceAll('.', '\\.')} +${step} +running \\d\\d:\\d\\d`), `${host} ${step} running:\n${screen.slice(-2000)}`);
    }
  }
  // Redrawn over itself: the cursor goes up over the block's other lines before erasing below.
  assert.ok(screen.includes(`\x1b[${hosts.length - 1}A\x1b[J`), 'cursor-up redraws');
  // Erased at the end: the summary line comes after the last erase and no host line follows it.
  const summary = screen.lastIndexOf('Backup done on');
  assert.ok(summary > screen.lastIndexOf('\x1b[J'), screen.slice(-1500));
});

test('in a pipe: no progress at all; --output json prints the one summary document', async () => {
  const r = await medusa(setup, ['backup-cluster', '--backup-name', 'pipe1', `--temp-dir=${setup.tempDir}`, '--output', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /\x1b|\r/);
  const doc = JSON.parse(r.stdout) as { backupName: string; hosts: string[]; seconds: number; jobDir: string };
  assert.equal(r.stdout.trim().split('\n').length, 1);
  assert.equal(doc.backupName, 'pipe1');
  assert.deepEqual([...doc.hosts].sort(), setup.cluster.hosts.map((h) => h.address).sort());
  assert.ok(doc.seconds > 0 && doc.jobDir.startsWith(setup.tempDir));
});
