// `[monitoring] prometheus_http_port`: grpc-server serves the Prometheus textfile at /metrics
// (monitoring/prometheus-http.ts) as it is at each scrape, closes it on SIGTERM, and refuses to
// start with one line when its port or the gRPC port is taken. A scrape after a backup taken through the agent is in
// test/cassandra/agent-operator-flow.test.ts (a backup needs a node).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../harness/free-ports.js';
import { startOurAgent, type AgentProcess } from '../support/agent-servers.js';
import { MEDUSA_BIN, scratchDir } from '../support/cli.js';
import { ReferenceGrpcClient } from '../support/medusa-grpc-client.js';

describe('grpc-server serves /metrics when [monitoring] prometheus_http_port is set', () => {
  const scratch = scratchDir('medusa-agent-metrics-');
  const ini = join(scratch.dir, 'medusa.ini');
  const textfile = join(scratch.dir, 'prom', 'medusa.prom');
  let grpcPort: number;
  let metricsPort: number;
  let client: ReferenceGrpcClient;
  let agent: AgentProcess | undefined;

  before(async () => {
    [grpcPort, metricsPort] = (await freePorts(2)) as [number, number];
    mkdirSync(join(scratch.dir, 'bucket'));
    mkdirSync(join(scratch.dir, 'prom'));
    writeFileSync(ini, [
      '[storage]', 'storage_provider = local', `base_path = ${scratch.dir}`, 'bucket_name = bucket', 'fqdn = node1',
      '[monitoring]', 'monitoring_provider = prometheus', `prometheus_textfile = ${textfile}`, `prometheus_http_port = ${metricsPort}`, 'prometheus_http_host = 127.0.0.1',
      '[grpc]', `port = ${grpcPort}`, '',
    ].join('\n'));
    client = ReferenceGrpcClient.start();
  });
  after(async () => {
    await agent?.kill9();
    await client?.close();
    scratch.cleanup();
  });

  test('each scrape reads the file as it is; SIGTERM closes the endpoint with the agent', async () => {
    agent = await startOurAgent(ini, { port: grpcPort, client, env: { MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') } });
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const empty = await fetch(url);
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(await empty.text(), '', 'no file yet: an empty exposition');
    writeFileSync(textfile, 'medusa_backup_runs_total{fqdn="node1",backup_type="full"} 3\n');
    assert.equal(await (await fetch(url)).text(), 'medusa_backup_runs_total{fqdn="node1",backup_type="full"} 3\n');
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);
    assert.match(agent.log(), new RegExp(`Prometheus metrics at http://127\\.0\\.0\\.1:${metricsPort}/metrics`));

    const stopped = await agent.stop();
    assert.equal(stopped.code, 0, agent.log());
    await assert.rejects(fetch(url), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'ECONNREFUSED');
  });

  const refusedWhileTaken = async (port: number, host: string): Promise<string> => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, host, resolve));
    try {
      const r = spawnSync(process.execPath, [MEDUSA_BIN, '--config-file', ini, 'grpc-server'], {
        encoding: 'utf8', timeout: 60_000, env: { ...process.env, MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') },
      });
      assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
      const lines = `${r.stdout}${r.stderr}`.trim().split('\n');
      assert.equal(lines.length, 1, `one line only:\n${r.stdout}${r.stderr}`);
      return lines[0]!;
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  };

  test('a taken metrics port: one line naming the key, exit 1, the gRPC port never opened', async () => {
    const line = await refusedWhileTaken(metricsPort, '127.0.0.1');
    assert.match(line, new RegExp(`Cannot serve /metrics on 127\\.0\\.0\\.1:${metricsPort} \\(\\[monitoring\\] prometheus_http_port\\): .*EADDRINUSE`));
    const h = await client.health(`127.0.0.1:${grpcPort}`);
    assert.ok(!h.ok, 'the gRPC port was never opened');
  });

  test('a taken gRPC port: one line naming the key (none of grpc-js\'s own), exit 1 (it sets an exit code and returns: a /metrics endpoint left open would keep it running)', async () => {
    const line = await refusedWhileTaken(grpcPort, '0.0.0.0');
    assert.match(line, new RegExp(`Cannot serve gRPC on port ${grpcPort} \\(\\[grpc\\] port\\): .*EADDRINUSE`));
    await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'ECONNREFUSED');
  });
});
