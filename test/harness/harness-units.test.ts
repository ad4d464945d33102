/** Pure parts of the harness: token layout, descriptor checks, rendered config. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderCassandraYaml } from './cassandra-config.js';
import { readNodeDescriptor, rootViewPath, type NodeDescriptor } from './node-descriptor.js';
import { initialTokens } from './tokens.js';

test('tokens are deterministic, interleaved between nodes and never the ring minimum', () => {
  const all = [0, 1, 2].flatMap((i) => initialTokens(i, 3, 4)).map(BigInt);
  assert.equal(new Set(all).size, 12);
  assert.ok(all.every((t) => t > -(2n ** 63n) && t < 2n ** 63n));
  assert.deepEqual(initialTokens(0, 1, 1), ['0']);
  assert.deepEqual(initialTokens(1, 3, 4), initialTokens(1, 3, 4));
  assert.throws(() => initialTokens(3, 3, 4), RangeError);
});

test('cassandra.yaml lists every data directory and the comma-separated initial tokens', () => {
  const yaml = renderCassandraYaml({
    clusterName: 'c', numTokens: 2, tokens: ['-1', '5'], dataDirs: ['/d/1', '/d/2'], commitlogDir: '/c',
    savedCachesDir: '/s', hintsDir: '/h', cdcRawDir: '/r', seeds: ['10.0.0.1:7000'], host: '10.0.0.2',
    storagePort: 7000, cqlPort: 9042, storageCompatibilityMode: 'CASSANDRA_4',
  });
  assert.match(yaml, /^initial_token: -1,5$/m);
  assert.match(yaml, /^data_file_directories:\n {2}- "\/d\/1"\n {2}- "\/d\/2"$/m);
  assert.match(yaml, /^ {6}- seeds: "10\.0\.0\.1:7000"$/m);
});

test('node descriptors are checked field by field; host paths map to the root view', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-unit-'));
  try {
    const path = join(dir, 'node.json');
    writeFileSync(path, JSON.stringify({ version: 1, name: 'n' }));
    assert.throws(() => readNodeDescriptor(path), /node\.json: not a harness node descriptor: dir must be/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const d = { namespace: { mounts: [{ hostPath: '/var/lib/cassandra', rootPath: '/x/h1/var' }] } } as unknown as NodeDescriptor;
  assert.equal(rootViewPath(d, '/var/lib/cassandra/data/ks'), '/x/h1/var/data/ks');
  assert.equal(rootViewPath(d, '/var/lib/cassandra2'), '/var/lib/cassandra2');
});
