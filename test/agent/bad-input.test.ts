// Bad input to the agent (design §4-5): empty names, names with "/" or "..", unknown backups, a
// request over [grpc] max_receive_message_length, a client that goes away mid-call. Each gets one
// clear gRPC status (through the reference's own stubs), the server keeps serving, and the bucket
// is byte for byte what it was (keys, sizes, modification times).
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../harness/free-ports.js';
import { startOurAgent, type AgentProcess } from '../support/agent-servers.js';
import { bigBucketBackupName, ensureBigBucket } from '../support/big-bucket.js';
import { scratchDir } from '../support/cli.js';
import { ReferenceGrpcClient, okResponse, type RpcAnswer } from '../support/medusa-grpc-client.js';

/** Key → size and mtime of every object under `dir`. */
function bucketState(dir: string): Map<string, string> {
  const state = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else state.set(relative(dir, p), `${st.size}@${st.mtimeMs}`);
    }
  };
  walk(dir);
  return state;
}

function expectStatus(answer: RpcAnswer, code: string, details: RegExp, what: string): void {
  assert.equal(answer.ok, false, `${what}: expected ${code}, got a response ${JSON.stringify(answer)}`);
  if (answer.ok) return;
  assert.equal(answer.code, code, `${what}: ${answer.details}`);
  assert.match(answer.details, details, what);
  assert.doesNotMatch(answer.details, /\n|\s+at .+:\d+:\d+/, `${what}: one line, no stack trace`);
}

const BAD_NAMES: ReadonlyArray<[string, RegExp]> = [
  ['', /is empty/],
  ['a/b', /may not contain "\/"/],
  ['../etc', /may not contain "\/"/],
  ['..', /may not be ".."/],
  ['.', /may not be "."/],
];

describe('bad input to the agent: one clear status each, nothing stored changes, the server keeps serving', () => {
  const scratch = scratchDir('medusa-agent-bad-input-');
  let client: ReferenceGrpcClient;
  let agent: AgentProcess;
  let bucketDir: string;
  let before_: Map<string, string>;
  let listing: Record<string, unknown>;
  const BACKUPS = 1000;
  let ini: string;

  before(async () => {
    // Big enough that a first GetBackups (every manifest read) takes several times the 50 ms after
    // which a client gives up.
    const big = ensureBigBucket(scratch.dir, BACKUPS, 4, 'b');
    bucketDir = join(scratch.dir, 'b');
    const [port] = await freePorts(1);
    ini = join(scratch.dir, 'medusa.ini');
    writeFileSync(ini, `[storage]\nstorage_provider = local\nbase_path = ${scratch.dir}\nbucket_name = b\nfqdn = ${big.hosts[0]}\n\n[cassandra]\nconfig_file = ${scratch.dir}/no-cassandra.yaml\n\n[grpc]\nport = ${port}\nmax_receive_message_length = 4096\n`);
    client = ReferenceGrpcClient.start();
    agent = await startOurAgent(ini, { port: port!, client });
    before_ = bucketState(bucketDir);
    listing = okResponse(await client.call(agent.target, 'GetBackups'), 'GetBackups before');
  });

  after(async () => {
    await agent?.kill9();
    await client?.close();
    scratch.cleanup();
  });

  test('backup names that are empty or could escape a folder: INVALID_ARGUMENT naming the field', async () => {
    for (const [name, why] of BAD_NAMES) {
      for (const rpc of ['Backup', 'AsyncBackup']) expectStatus(await client.call(agent.target, rpc, { name, mode: 'FULL' }), 'INVALID_ARGUMENT', new RegExp(`^name .*${why.source}`), `${rpc}(${JSON.stringify(name)})`);
      expectStatus(await client.call(agent.target, 'DeleteBackup', { name }), 'INVALID_ARGUMENT', new RegExp(`^name .*${why.source}`), `DeleteBackup(${JSON.stringify(name)})`);
      for (const rpc of ['BackupStatus', 'GetBackup']) expectStatus(await client.call(agent.target, rpc, { backupName: name }), 'INVALID_ARGUMENT', new RegExp(`^backupName .*${why.source}`), `${rpc}(${JSON.stringify(name)})`);
      expectStatus(await client.call(agent.target, 'PrepareRestore', { backupName: name, restoreKey: 'k1' }), 'INVALID_ARGUMENT', /^backupName /, `PrepareRestore(backupName ${JSON.stringify(name)})`);
      expectStatus(await client.call(agent.target, 'PrepareRestore', { backupName: bigBucketBackupName(0), restoreKey: name }), 'INVALID_ARGUMENT', new RegExp(`^restoreKey .*${why.source}`), `PrepareRestore(restoreKey ${JSON.stringify(name)})`);
    }
  });

  test('unknown backups: NOT_FOUND (GetBackup: INTERNAL, as Medusa answers it)', async () => {
    expectStatus(await client.call(agent.target, 'BackupStatus', { backupName: 'no-such-backup' }), 'NOT_FOUND', /^backup <no-such-backup> does not exist$/, 'BackupStatus');
    expectStatus(await client.call(agent.target, 'GetBackup', { backupName: 'no-such-backup' }), 'INTERNAL', /The backup no-such-backup does not exist/, 'GetBackup');
    expectStatus(await client.call(agent.target, 'DeleteBackup', { name: 'no-such-backup' }), 'NOT_FOUND', /no-such-backup/, 'DeleteBackup');
    expectStatus(await client.call(agent.target, 'PrepareRestore', { backupName: 'no-such-backup', restoreKey: 'k1', datacenter: 'dc1' }), 'NOT_FOUND', /no-such-backup/, 'PrepareRestore');
  });

  test('a request over max_receive_message_length: RESOURCE_EXHAUSTED', async () => {
    const answer = await client.call(agent.target, 'GetBackup', { backupName: 'x'.repeat(10_000) });
    expectStatus(answer, 'RESOURCE_EXHAUSTED', /./, 'GetBackup with a 10 kB name');
  });

  test('a client that goes away mid-call: the call is dropped, the next one is answered', async () => {
    // A changed medusa.ini opens a new session with no manifest totals kept: this GetBackups reads
    // every manifest again, where a repeated call takes little more than the listing.
    appendFileSync(ini, '# touched\n');
    const answer = await client.cancelAfter(agent.target, 'GetBackups', {}, 50);
    assert.deepEqual(answer.ok ? 'answered' : answer.code, 'CANCELLED');
    // The server saw the cancellation while it was still working on the call.
    const deadline = Date.now() + 60_000;
    while (!/GetBackups from .*: cancelled by the client/.test(agent.log())) {
      assert.ok(Date.now() < deadline, `no trace of the cancelled call in the agent's log:\n${agent.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('afterwards: still serving, the same listing, the bucket unchanged', async () => {
    const again = okResponse(await client.call(agent.target, 'GetBackups'), 'GetBackups after');
    assert.deepEqual(again, listing);
    assert.equal((again.backups as unknown[]).length, BACKUPS);
    assert.deepEqual(await client.health(agent.target), { ok: true, status: 'SERVING' });
    assert.deepEqual(bucketState(bucketDir), before_);
  });
});
