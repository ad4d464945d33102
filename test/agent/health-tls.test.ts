// The agent's transport as its clients meet it: `medusa grpc-server` as a process, checked by the
// operator's own probe (grpc_health_probe, exactly as the pod runs it: `--addr=:PORT`, plus TLS
// flags when TLS is on) and by the reference's Python client, in plain text and with mutual TLS
// (throwaway certificates). Clients without a certificate, with one of another CA, or in plain text
// against TLS are refused, and the server keeps serving. SIGTERM ends it with exit 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../harness/free-ports.js';
import { startOurAgent, type AgentProcess } from '../support/agent-servers.js';
import { runMedusa, scratchDir } from '../support/cli.js';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS } from '../support/fixture-scenarios.js';
import { ReferenceGrpcClient, okResponse, type ClientTls } from '../support/medusa-grpc-client.js';
import { makeMtlsFiles, type MtlsFiles } from '../support/mtls-certs.js';

const scenario = FIXTURE_SCENARIOS.find((s) => s.name === 'complete-3-nodes')!;

function probeBin(): string {
  const bin = process.env.GRPC_HEALTH_PROBE;
  assert.ok(bin, 'GRPC_HEALTH_PROBE is not set: run this group through test/run.ts (environment grpc-health-probe)');
  return bin;
}

/** grpc_health_probe as the operator's pod runs it. */
function probe(port: number, tlsArgs: string[] = []): { status: number; output: string } {
  const r = spawnSync(probeBin(), [`--addr=:${port}`, '--connect-timeout=5s', '--rpc-timeout=5s', ...tlsArgs], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
}

function iniText(base: string, port: number, grpcExtra = ''): string {
  return `[storage]\nstorage_provider = local\nbase_path = ${base}\nbucket_name = b\nfqdn = ${scenario.localFqdn}\n\n[grpc]\nenabled = 1\nport = ${port}\n${grpcExtra}`;
}

describe('grpc-server transport: health, plain text and mutual TLS', () => {
  const scratch = scratchDir('medusa-agent-tls-');
  let client: ReferenceGrpcClient;
  let certs: MtlsFiles;
  const agents: AgentProcess[] = [];

  before(async () => {
    writeFixtureBucket(scratch.dir, 'b', scenario.bucket);
    client = ReferenceGrpcClient.start();
    certs = await makeMtlsFiles();
  });

  after(async () => {
    for (const a of agents) await a.kill9();
    await client?.close();
    certs?.cleanup();
    scratch.cleanup();
  });

  test('plain text: the operator probe and the reference client see SERVING; SIGTERM exits 0', async () => {
    const [port] = await freePorts(1);
    const ini = join(scratch.dir, 'plain.ini');
    writeFileSync(ini, iniText(scratch.dir, port!));
    const agent = await startOurAgent(ini, { port: port!, client });
    agents.push(agent);
    const p = probe(port!);
    assert.equal(p.status, 0, p.output);
    assert.equal(p.output, 'status: SERVING');
    assert.equal(await client.client(agent.target, 'health_check'), 'SERVING');
    assert.deepEqual(await client.health(agent.target, { service: 'Medusa' }), { ok: false, code: 'NOT_FOUND', details: 'Health status unknown for service Medusa' });
    const listed = okResponse(await client.call(agent.target, 'GetBackups'), 'GetBackups') as { backups: Array<{ backupName: string }> };
    assert.deepEqual(listed.backups.map((b) => b.backupName), ['backup-full']);
    // A TLS client cannot talk to a plain-text server; the server does not mind.
    assert.notEqual(probe(port!, ['-tls', `-tls-ca-cert=${certs.caCert}`]).status, 0);
    assert.equal(probe(port!).status, 0);
    const stopped = await agent.stop();
    assert.deepEqual({ code: stopped.code, signal: stopped.signal }, { code: 0, signal: null }, agent.log());
    assert.match(agent.log(), /SIGTERM received/);
  });

  test('mutual TLS: clients with a certificate of the CA are served, every other client is refused', async () => {
    const [port] = await freePorts(1);
    const ini = join(scratch.dir, 'tls.ini');
    // Relative paths are taken from the ini's folder.
    const rel = (f: string): string => relative(scratch.dir, f);
    writeFileSync(ini, iniText(scratch.dir, port!, `tls_cert = ${rel(certs.serverCert)}\ntls_key = ${rel(certs.serverKey)}\nca_cert = ${rel(certs.caCert)}\n`));
    const tls: ClientTls = { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey };
    const agent = await startOurAgent(ini, { port: port!, client, tls });
    agents.push(agent);
    assert.match(agent.log(), /listening on port \d+ \(mutual TLS\)/);
    const withCert = ['-tls', `-tls-ca-cert=${certs.caCert}`, `-tls-client-cert=${certs.clientCert}`, `-tls-client-key=${certs.clientKey}`];
    const ok = probe(port!, withCert);
    assert.equal(ok.status, 0, ok.output);
    assert.equal(ok.output, 'status: SERVING');

    const refused = [
      ['no client certificate', probe(port!, ['-tls', `-tls-ca-cert=${certs.caCert}`])],
      ['a certificate of another CA', probe(port!, ['-tls', `-tls-ca-cert=${certs.caCert}`, `-tls-client-cert=${certs.strangerCert}`, `-tls-client-key=${certs.strangerKey}`])],
      ['plain text', probe(port!)],
    ] as const;
    for (const [what, r] of refused) assert.notEqual(r.status, 0, `${what}: the probe must fail, got ${r.output}`);
    for (const [what, t] of [
      ['no client certificate', { ca: certs.caCert }],
      ['a certificate of another CA', { ca: certs.caCert, cert: certs.strangerCert, key: certs.strangerKey }],
    ] as const) {
      const answer = await client.call(agent.target, 'GetBackups', {}, { tls: t, timeoutS: 10 });
      assert.equal(answer.ok, false, `${what}: GetBackups must be refused`);
      assert.equal(answer.ok ? '' : answer.code, 'UNAVAILABLE', `${what}: ${JSON.stringify(answer)}`);
    }
    // Still serving the good client, over the same listener.
    assert.equal(probe(port!, withCert).status, 0);
    const listed = okResponse(await client.call(agent.target, 'GetBackups', {}, { tls }), 'GetBackups over mTLS') as { backups: unknown[] };
    assert.equal(listed.backups.length, 1);
    const stopped = await agent.stop();
    assert.equal(stopped.code, 0, agent.log());
  });

  test('TLS half configured: one clear line naming [grpc] ca_cert, exit 2, nothing listens', async () => {
    const [port] = await freePorts(1);
    const ini = join(scratch.dir, 'half.ini');
    writeFileSync(ini, iniText(scratch.dir, port!, `tls_cert = ${certs.serverCert}\ntls_key = ${certs.serverKey}\n`));
    const r = runMedusa(['--config-file', ini, 'grpc-server'], { timeoutMs: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.includes('ERROR'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /\[grpc\] ca_cert: must be set when tls_cert is set/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.notEqual(probe(port!).status, 0);
  });
});
