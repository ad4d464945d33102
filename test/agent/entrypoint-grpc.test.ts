// The image's entrypoint in the side-car's mode, run as the pod runs it: `k8s/entrypoint.sh` with
// the `medusa` container's environment (MEDUSA_MODE=GRPC, MEDUSA_TMP_DIR=/var/lib/cassandra,
// POD_NAME, CQL_USERNAME/CQL_PASSWORD, DEBUG_SLEEP=0) in a mount namespace where /etc/medusa and
// /var/lib/cassandra are the pod's volumes (test/support/pod-mounts.ts), no --config-file: it reads
// /etc/medusa/medusa.ini as the image does. The operator's probe (grpc_health_probe --addr=:PORT)
// sees SERVING, the reference's client lists the bucket's backups through it, and Kubernetes'
// SIGTERM reaches the agent (the entrypoint execs it), which exits 0. The restore mode is run the
// same way in test/e2e/k8s-restore.test.ts and on the cluster harness (test/cluster/k8s-*).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePorts } from '../harness/free-ports.js';
import { startAgentCommand, type AgentProcess } from '../support/agent-servers.js';
import { scratchDir } from '../support/cli.js';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS } from '../support/fixture-scenarios.js';
import { ReferenceGrpcClient, okResponse } from '../support/medusa-grpc-client.js';
import { podArgv, type PodVolumes } from '../support/pod-mounts.js';

const repo = join(import.meta.dirname, '..', '..');
const ENTRYPOINT = join(repo, 'k8s', 'entrypoint.sh');
const scenario = FIXTURE_SCENARIOS.find((s) => s.name === 'complete-3-nodes')!;
const scratch = scratchDir('medusa-entrypoint-grpc-');
let client: ReferenceGrpcClient;
let agent: AgentProcess | undefined;

before(() => {
  writeFixtureBucket(scratch.dir, 'b', scenario.bucket);
  client = ReferenceGrpcClient.start();
});

after(async () => {
  await agent?.kill9();
  await client?.close();
  scratch.cleanup();
});

test('MEDUSA_MODE=GRPC: the agent serves the pod\'s /etc/medusa/medusa.ini, the operator\'s probe sees SERVING, SIGTERM exits 0', async () => {
  const probeBin = process.env.GRPC_HEALTH_PROBE;
  assert.ok(probeBin, 'GRPC_HEALTH_PROBE is not set: run this group through test/run.ts (environment grpc-health-probe)');
  const [port] = await freePorts(1);
  const volumes: PodVolumes = { etcMedusa: join(scratch.dir, 'etc-medusa'), varLibCassandra: join(scratch.dir, 'var-lib-cassandra') };
  for (const dir of [volumes.etcMedusa, volumes.varLibCassandra]) mkdirSync(dir, { recursive: true });
  // The operator's ini in spirit (pkg/medusa/reconcile.go), on the fixture bucket.
  writeFileSync(join(volumes.etcMedusa, 'medusa.ini'), [
    '[storage]', 'storage_provider = local', `base_path = ${scratch.dir}`, 'bucket_name = b', `fqdn = ${scenario.localFqdn}`, '',
    '[cassandra]', 'use_sudo = false', '',
    '[grpc]', 'enabled = 1', `port = ${port!}`, '',
    '[logging]', 'level = DEBUG', '',
    '[kubernetes]', 'enabled = 1', 'use_mgmt_api = 1', 'cassandra_url = http://127.0.0.1:8080/api/v0/ops/node/snapshots', '',
  ].join('\n'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MEDUSA_|DEBUG_SLEEP$|BACKUP_NAME$|RESTORE_|POD_|CQL_)/.test(k)));
  agent = await startAgentCommand('k8s/entrypoint.sh (MEDUSA_MODE=GRPC)', podArgv(volumes, [ENTRYPOINT]), {
    port: port!,
    client,
    env: {
      ...inherited,
      PATH: [join(repo, 'bin'), process.env['PATH'] ?? ''].join(delimiter),
      MEDUSA_MODE: 'GRPC', MEDUSA_TMP_DIR: '/var/lib/cassandra', POD_NAME: 'cluster1-dc1-default-sts-0', DEBUG_SLEEP: '0',
      CQL_USERNAME: 'cluster1-superuser', CQL_PASSWORD: 'not-used-here',
    },
  });
  assert.match(agent.log(), /^MEDUSA_MODE = GRPC$/m);

  const probe = spawnSync(probeBin, [`--addr=:${port!}`, '--connect-timeout=5s', '--rpc-timeout=5s'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(`${probe.stdout}${probe.stderr}`.trim(), 'status: SERVING');
  assert.equal(probe.status, 0);
  const listed = okResponse(await client.call(agent.target, 'GetBackups'), 'GetBackups') as { backups: Array<{ backupName: string }> };
  assert.deepEqual(listed.backups.map((b) => b.backupName), ['backup-full']);

  const stopped = await agent.stop();
  assert.deepEqual({ code: stopped.code, signal: stopped.signal }, { code: 0, signal: null }, agent.log());
  assert.match(agent.log(), /SIGTERM received/);
});
