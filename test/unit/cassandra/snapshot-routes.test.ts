/**
 * The snapshot routes' pure parts: which route a configuration selects (Medusa's rule), the
 * requests the Jolokia route sends, how a Jolokia answer is judged (HTTP status AND JSON status),
 * and how `cassandra_url` is checked. The routes against real servers: test/k8s/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { snapshotTagsOnDisk } from '../../../src/cassandra/snapshot-tags-on-disk.js';
import { snapshotRouteKind } from '../../../src/cassandra/select-snapshot-route.js';
import { endpointUrl } from '../../../src/cassandra/routes/endpoint-url.js';
import { CLEAR_SNAPSHOT_OPERATION, jolokiaExec, jolokiaFailure, TAKE_SNAPSHOT_OPERATION } from '../../../src/cassandra/routes/jolokia-route.js';
import { shownUrl } from '../../../src/cassandra/routes/http-call.js';

describe('snapshot route selection (medusa/service/snapshot)', () => {
  const cases: Array<[string, { enabled: boolean; use_mgmt_api: boolean }, string]> = [
    ['not Kubernetes: nodetool', { enabled: false, use_mgmt_api: false }, 'nodetool'],
    ['not Kubernetes, use_mgmt_api ignored: nodetool', { enabled: false, use_mgmt_api: true }, 'nodetool'],
    ['Kubernetes with use_mgmt_api: management API', { enabled: true, use_mgmt_api: true }, 'management-api'],
    ['Kubernetes without use_mgmt_api: Jolokia', { enabled: true, use_mgmt_api: false }, 'jolokia'],
  ];
  for (const [name, kubernetes, expected] of cases) {
    test(name, () => assert.equal(snapshotRouteKind({ kubernetes }), expected));
  }
});

describe('Jolokia requests and answers', () => {
  test('the exec bodies name StorageService and the operations with their signatures', () => {
    assert.deepEqual(jolokiaExec(TAKE_SNAPSHOT_OPERATION, ['medusa-b', {}, []]), {
      type: 'exec', mbean: 'org.apache.cassandra.db:type=StorageService',
      operation: 'takeSnapshot(java.lang.String,java.util.Map,[Ljava.lang.String;)', arguments: ['medusa-b', {}, []],
    });
    assert.equal(CLEAR_SNAPSHOT_OPERATION, 'clearSnapshot(java.lang.String,[Ljava.lang.String;)');
  });
  const cases: Array<[string, number, string, string | undefined]> = [
    ['HTTP 200 and status 200: success', 200, '{"value":null,"status":200}', undefined],
    ['an MBean failure inside a 200 answer', 200, '{"error_type":"java.io.IOException","error":"java.io.IOException : Snapshot x already exists.","status":500}', 'Jolokia status 500: java.io.IOException : Snapshot x already exists.'],
    ['an overloaded operation (status 400)', 200, '{"error":"java.lang.IllegalArgumentException : Operation clearSnapshot is overloaded.","status":400}', 'Jolokia status 400: java.lang.IllegalArgumentException : Operation clearSnapshot is overloaded.'],
    ['a JSON answer without status', 200, '{"value":1}', 'the answer has no status'],
    ['HTTP 403 with a Jolokia error', 403, '{"error":"Access denied","status":403}', 'HTTP 403: Access denied'],
    ['HTTP 200 whose JSON says 200 but HTTP does not agree', 500, '{"status":200}', 'HTTP 500'],
    ['not JSON', 400, 'Invalid JSON request\n', 'HTTP 400, not a Jolokia answer: Invalid JSON request'],
    ['a JSON array', 200, '[{"status":200}]', 'the answer has no status'],
    ['a multi-line error becomes one line', 200, '{"error":"a\\n  b","status":500}', 'Jolokia status 500: a b'],
  ];
  for (const [name, http, body, expected] of cases) {
    test(name, () => assert.equal(jolokiaFailure(http, body), expected));
  }
});

describe('cassandra_url', () => {
  test('unset, empty, not a URL, not http: each named by the key', () => {
    assert.throws(() => endpointUrl(undefined, 'X'), { message: '[kubernetes] cassandra_url is not set: snapshots in Kubernetes mode go to X' });
    assert.throws(() => endpointUrl('  ', 'X'), /cassandra_url is not set/);
    assert.throws(() => endpointUrl('127.0.0.1:8080/api', 'X'), /\[kubernetes\] cassandra_url: /);
    assert.throws(() => endpointUrl('ftp://h/x', 'X'), { message: '[kubernetes] cassandra_url: ftp: is not http: or https:' });
    assert.equal(endpointUrl(' http://127.0.0.1:8080/api/v0/ops/node/snapshots ', 'X').pathname, '/api/v0/ops/node/snapshots');
  });
  test('credentials in the URL never appear in messages', () => {
    assert.equal(shownUrl(new URL('http://admin:s3cret@127.0.0.1:8778/jolokia/')), 'http://127.0.0.1:8778/jolokia/');
  });
});

describe('snapshot tags listed from the data directories', () => {
  const root = mkdtempSync(join(tmpdir(), 'medusa-tags-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = (rel: string): void => {
    mkdirSync(join(root, rel), { recursive: true });
  };
  dir('d1/ks/t-1/snapshots/medusa-a');
  dir('d1/ks/t-1/snapshots/operator one');
  dir('d1/system/local-2/snapshots/medusa-b');
  dir('d2/ks/t-1/snapshots/medusa-a');
  dir('d2/ks/t-3/snapshots');
  dir('d2/ks/t-4');
  writeFileSync(join(root, 'd2/ks/t-1/snapshots/not-a-folder'), '');
  writeFileSync(join(root, 'd2/ks/stray-file'), '');

  test('every keyspace and data directory, each tag once, sorted; files ignored; missing folders hold none', async () => {
    assert.deepEqual(await snapshotTagsOnDisk([join(root, 'd1'), join(root, 'd2'), join(root, 'missing')]), ['medusa-a', 'medusa-b', 'operator one']);
  });
});
