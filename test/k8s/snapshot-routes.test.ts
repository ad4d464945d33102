/**
 * The three snapshot routes on the harness's real node, each held to the port's suite
 * (snapshot-route-suite.ts): nodetool; Jolokia (the real Jolokia JVM agent the `cassandra-node`
 * environment attaches to the node); the Management API, through the loopback STAND-IN of
 * test/support/management-api-stand-in.ts (its real server cannot be installed here), plain HTTP
 * and with mTLS. Then what the suite cannot see: the exact requests the Management API gets, and
 * the failures (500, no answer, refused certificates, a server that is not Jolokia), each one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Nodetool } from '../../src/cassandra/nodetool.js';
import { jolokiaRoute } from '../../src/cassandra/routes/jolokia-route.js';
import { managementApiRoute } from '../../src/cassandra/routes/management-api-route.js';
import { nodetoolRoute } from '../../src/cassandra/routes/nodetool-route.js';
import { freePort } from '../environments/object-stores/processes.js';
import { startManagementApiStandIn, SNAPSHOTS_PATH, type ManagementApiStandIn } from '../support/management-api-stand-in.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';
import { snapshotDirs, testNode } from '../cassandra/backup-support.js';
import { describeSnapshotRouteConformance } from './snapshot-route-suite.js';

const node = testNode();
const jolokiaUrl = node.jolokia?.url;
if (!jolokiaUrl) throw new Error(`${node.dir}/node.json has no jolokia.url: the cassandra-node environment must start the node with Jolokia`);
const dataDirs = (): Promise<readonly string[]> => Promise.resolve(node.dataDirs);
const scratch = mkdtempSync(join(tmpdir(), 'medusa-routes-'));
let pki: Promise<TestPki> | undefined;
const testPki = (): Promise<TestPki> => (pki ??= makeTestPki(join(scratch, 'pki')));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

describeSnapshotRouteConformance('nodetool', node, () => Promise.resolve({
  route: nodetoolRoute(new Nodetool({ nodetool_executable: node.bin.nodetool, nodetool_flags: [], nodetool_ssl: false })),
}));

describeSnapshotRouteConformance('Jolokia', node, () => Promise.resolve({ route: jolokiaRoute({ cassandra_url: jolokiaUrl }, dataDirs) }));

describeSnapshotRouteConformance('management API (stand-in, http)', node, async () => {
  const api = await startManagementApiStandIn({ jolokiaUrl });
  return { route: managementApiRoute({ cassandra_url: api.url }, dataDirs), cleanup: () => api.close() };
});

describeSnapshotRouteConformance('management API (stand-in, mTLS)', node, async () => {
  const p = await testPki();
  const api = await startManagementApiStandIn({ jolokiaUrl, tls: { server: p.server, ca: p.ca.cert } });
  // http:// on purpose: with tls_cert set, the route must switch to https:// as Medusa does.
  const url = api.url.replace('https://', 'http://');
  return {
    route: managementApiRoute({ cassandra_url: url, tls_cert: p.client.cert, tls_key: p.client.key, ca_cert: p.ca.cert }, dataDirs),
    cleanup: () => api.close(),
  };
});

describe('management API: request shapes and failures', () => {
  let p: TestPki;
  let api: ManagementApiStandIn;
  const tag = `medusa-shape-${process.pid}`;
  const settings = (): { cassandra_url: string; tls_cert: string; tls_key: string; ca_cert: string } => ({
    cassandra_url: api.url, tls_cert: p.client.cert, tls_key: p.client.key, ca_cert: p.ca.cert,
  });

  before(async () => {
    p = await testPki();
    api = await startManagementApiStandIn({ jolokiaUrl, tls: { server: p.server, ca: p.ca.cert } });
  });
  after(async () => {
    await api.close();
    await jolokiaRoute({ cassandra_url: jolokiaUrl }, dataDirs).clear(tag).catch(() => undefined);
  });

  test('take and clear send exactly Medusa\'s two requests, with the client certificate', async () => {
    const route = managementApiRoute(settings(), dataDirs);
    api.requests.length = 0;
    await route.take(tag);
    await route.clear(tag);
    assert.deepEqual(api.refused, []);
    assert.deepEqual(api.requests.map((r) => ({ ...r })), [
      { method: 'POST', path: SNAPSHOTS_PATH, query: {}, contentType: 'application/json', body: JSON.stringify({ snapshot_name: tag }), clientCertificate: 'medusa-test client' },
      { method: 'DELETE', path: SNAPSHOTS_PATH, query: { snapshotNames: [tag] }, body: '', clientCertificate: 'medusa-test client' },
    ]);
  });

  test('HTTP 500: one line with the status and the server\'s reason', async () => {
    api.mode = 'fail';
    try {
      const err = await managementApiRoute(settings(), dataDirs).take(tag).then(() => undefined, (e: unknown) => e as Error);
      assert.ok(err);
      assert.equal(err.message, `management API: cannot take snapshot ${tag}: HTTP 500: java.lang.RuntimeException: stand-in told to fail`);
    } finally {
      api.mode = 'serve';
    }
  });

  test('no answer: the call gives up at its deadline with one line', async () => {
    api.mode = 'hang';
    try {
      const started = Date.now();
      const err = await managementApiRoute(settings(), dataDirs, { timeoutMs: 1500 }).clear(tag).then(() => undefined, (e: unknown) => e as Error);
      assert.ok(err);
      assert.match(err.message, /^management API: cannot clear snapshot .*: DELETE https:\/\/127\.0\.0\.1:\d+\/api\/v0\/ops\/node\/snapshots\?snapshotNames=.*: no answer within 2 s$/);
      assert.ok(Date.now() - started < 30_000);
    } finally {
      api.mode = 'serve';
    }
  });

  test('no client certificate: the mTLS server refuses, one line', async () => {
    const err = await managementApiRoute({ cassandra_url: api.url, ca_cert: p.ca.cert }, dataDirs).take(tag).then(() => undefined, (e: unknown) => e as Error);
    assert.ok(err);
    assert.match(err.message, /^management API: cannot take snapshot [^\n]+: the server wants a client certificate it accepts \(\[kubernetes\] tls_cert and tls_key\): TLS [^\n]+$/);
    assert.deepEqual(snapshotDirs(node, tag), [], 'no snapshot was taken');
  });

  test('a server certificate ca_cert did not sign: refused before anything is sent', async () => {
    const other = await makeTestPki(join(scratch, 'other-pki'), 'other');
    const before = api.requests.length;
    const err = await managementApiRoute({ ...settings(), ca_cert: other.ca.cert }, dataDirs).take(tag).then(() => undefined, (e: unknown) => e as Error);
    assert.ok(err);
    assert.match(err.message, /not signed by \[kubernetes\] ca_cert/);
    assert.equal(api.requests.length, before, 'no request reached the server');
  });

  test('a missing certificate file and an unset URL are named by their keys', async () => {
    const missing = await managementApiRoute({ ...settings(), tls_cert: join(scratch, 'nope.crt') }, dataDirs).take(tag).then(() => undefined, (e: unknown) => e as Error);
    assert.match(String(missing?.message), /^\[kubernetes\] tls_cert: cannot read .*nope\.crt \(no such file\)$/);
    const unset = await managementApiRoute({}, dataDirs).take(tag).then(() => undefined, (e: unknown) => e as Error);
    assert.match(String(unset?.message), /^\[kubernetes\] cassandra_url is not set/);
  });
});

describe('Jolokia: answers that are not a success', () => {
  test('a server that is not Jolokia (an HTML 404): one line naming the status', async () => {
    const server = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>Not Found</body></html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const err = await jolokiaRoute({ cassandra_url: `http://127.0.0.1:${port}/jolokia/` }, dataDirs).take('medusa-x').then(() => undefined, (e: unknown) => e as Error);
      assert.equal(err?.message, 'Jolokia: cannot take snapshot medusa-x: HTTP 404, not a Jolokia answer: <html><body>Not Found</body></html>');
    } finally {
      server.close();
    }
  });

  test('nothing listening: connection refused, one line', async () => {
    const port = await freePort();
    const err = await jolokiaRoute({ cassandra_url: `http://127.0.0.1:${port}/jolokia/` }, dataDirs).clear('medusa-x').then(() => undefined, (e: unknown) => e as Error);
    assert.equal(err?.message, `Jolokia: cannot clear snapshot medusa-x: POST http://127.0.0.1:${port}/jolokia/: connection refused (is the API running?)`);
  });
});
