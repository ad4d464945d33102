// A changed medusa.ini is picked up between requests, without a restart (design §5; Medusa's
// entrypoint kills the container instead): another bucket answers at once; a broken file fails
// requests with FAILED_PRECONDITION naming the section and key (health stays SERVING), and a fixed
// one is served again; [grpc] changes are reported as needing a restart.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../harness/free-ports.js';
import { startOurAgent, type AgentProcess } from '../support/agent-servers.js';
import { scratchDir } from '../support/cli.js';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS } from '../support/fixture-scenarios.js';
import { ReferenceGrpcClient, okResponse } from '../support/medusa-grpc-client.js';

const history = FIXTURE_SCENARIOS.find((s) => s.name === 'history')!;
const complete = FIXTURE_SCENARIOS.find((s) => s.name === 'complete-3-nodes')!;

describe('grpc-server re-reads medusa.ini between requests', () => {
  const scratch = scratchDir('medusa-agent-reload-');
  const ini = join(scratch.dir, 'medusa.ini');
  let port: number;
  let client: ReferenceGrpcClient;
  let agent: AgentProcess;
  const write = (bucket: string, fqdn: string, extra = ''): void =>
    writeFileSync(ini, `[storage]\nstorage_provider = local\nbase_path = ${scratch.dir}\nbucket_name = ${bucket}\nfqdn = ${fqdn}\n${extra}\n[grpc]\nport = ${port}\n`);
  const names = async (): Promise<string[]> => (okResponse(await client.call(agent.target, 'GetBackups'), 'GetBackups') as { backups: Array<{ backupName: string }> }).backups.map((b) => b.backupName);

  before(async () => {
    writeFixtureBucket(scratch.dir, 'one', history.bucket);
    writeFixtureBucket(scratch.dir, 'two', complete.bucket);
    [port] = (await freePorts(1)) as [number];
    write('one', history.localFqdn);
    client = ReferenceGrpcClient.start();
    agent = await startOurAgent(ini, { port, client });
  });
  after(async () => {
    await agent?.kill9();
    await client?.close();
    scratch.cleanup();
  });

  test('another bucket and fqdn answer from the next request on', async () => {
    assert.equal((await names()).length, 4);
    write('two', complete.localFqdn);
    assert.deepEqual(await names(), ['backup-full']);
    const status = okResponse(await client.call(agent.target, 'BackupStatus', { backupName: 'backup-full' }), 'BackupStatus');
    assert.equal(status.status, 'SUCCESS', 'BackupStatus uses the new fqdn too');
    assert.match(agent.log(), /Configuration .*medusa\.ini changed: using it from now on/);
  });

  test('a broken file: FAILED_PRECONDITION naming section and key, health still SERVING; fixed: served again', async () => {
    write('two', complete.localFqdn, 'max_backup_count = lots');
    const answer = await client.call(agent.target, 'GetBackups');
    assert.ok(!answer.ok && answer.code === 'FAILED_PRECONDITION', JSON.stringify(answer));
    assert.match(answer.ok ? '' : answer.details, /medusa\.ini: \[storage\] max_backup_count: /);
    assert.deepEqual(await client.health(agent.target), { ok: true, status: 'SERVING' });
    write('one', history.localFqdn);
    assert.equal((await names()).length, 4);
  });

  test('[grpc] changes are reported: they need a restart', async () => {
    writeFileSync(ini, `[storage]\nstorage_provider = local\nbase_path = ${scratch.dir}\nbucket_name = one\nfqdn = ${history.localFqdn}\n[grpc]\nport = ${port + 1}\n`);
    assert.equal((await names()).length, 4, 'still served on the old port');
    assert.match(agent.log(), /\[grpc\] settings changed: they take effect when the agent is restarted/);
  });
});
