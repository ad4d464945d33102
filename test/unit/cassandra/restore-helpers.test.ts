import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { isNodeUp, waitUntil } from '../../../src/cassandra/service.js';
import { splitShellWords } from '../../../src/cassandra/shell-words.js';
import { maskLoaderArgs, sstableloaderArgs } from '../../../src/cassandra/sstableloader.js';
import { pinTokensInYaml } from '../../../src/cassandra/yaml-rewrite.js';

test('shell words split like shlex.split (POSIX)', () => {
  const cases: Array<[string, string[]]> = [
    ['sudo service cassandra start', ['sudo', 'service', 'cassandra', 'start']],
    ['  a   b\tc ', ['a', 'b', 'c']],
    [`/opt/x/bin/start --wait '1 2' "a \\"b\\" \\$c \\q"`, ['/opt/x/bin/start', '--wait', '1 2', 'a "b" $c \\q']],
    ['a\\ b c', ['a b', 'c']],
    [`x''y ""`, ['xy', '']],
    ['', []],
  ];
  for (const [line, words] of cases) assert.deepEqual(splitShellWords(line), words, line);
  assert.throws(() => splitShellWords(`a 'b`), /no closing quotation/);
  assert.throws(() => splitShellWords('a \\'), /no escaped character/);
});

test('pinning tokens rewrites the three lines in place and keeps the rest byte for byte', () => {
  const yaml = '# comment\nnum_tokens: 16\ncluster_name: x\ninitial_token:\nauto_bootstrap: true\nend: 1\n';
  assert.equal(
    pinTokensInYaml(yaml, ['-9223372036854775808', '3074457345618258602']),
    '# comment\nnum_tokens: 2\ncluster_name: x\ninitial_token: -9223372036854775808,3074457345618258602\nauto_bootstrap: false\nend: 1\n',
  );
});

test('pinning tokens appends missing lines after a newline, as Medusa', () => {
  assert.equal(pinTokensInYaml('cluster_name: x\n', ['1']), 'cluster_name: x\n\ninitial_token: 1\nnum_tokens: 1\nauto_bootstrap: false');
  // A commented-out line does not count as present.
  assert.equal(pinTokensInYaml('# initial_token:\nnum_tokens: 4', ['5', '6']), '# initial_token:\nnum_tokens: 2\ninitial_token: 5,6\nauto_bootstrap: false');
});

test('sstableloader command line of reference §5.2', () => {
  const base = { sstableloader_bin: '/x/sstableloader', config_file: '/etc/cassandra/cassandra.yaml' };
  assert.deepEqual(sstableloaderArgs(base, '10.0.0.1', { nativePort: 9042, storagePort: 7000 }, '/tmp/r/ks/t-1'), [
    '/x/sstableloader', '-d', '10.0.0.1', '--conf-path', '/etc/cassandra/cassandra.yaml', '--username', 'foo', '--password', 'foo',
    '--no-progress', '--port', '9042', '/tmp/r/ks/t-1',
  ]);
  const full = sstableloaderArgs(
    { ...base, cql_username: 'u', cql_password: 'p', sstableloader_ts: 'ts', sstableloader_tspw: 'tspw', sstableloader_ks: 'ks', sstableloader_kspw: 'kspw' },
    'h', { nativePort: 9142, storagePort: 7001 }, 'd/ks/t-1',
  );
  assert.deepEqual(full.slice(5), ['--username', 'u', '--password', 'p', '--no-progress', '--port', '9142', '--storage-port', '7001', '-ts', 'ts', '-tspw', 'tspw', '-ks', 'ks', '-kspw', 'kspw', 'd/ks/t-1']);
  assert.ok(!maskLoaderArgs(full).some((a) => a === 'p' || a === 'tspw' || a === 'kspw'));
  // TLS stores are passed only when all four are set.
  assert.ok(!sstableloaderArgs({ ...base, sstableloader_ts: 'ts' }, 'h', { nativePort: 1, storagePort: 7000 }, 'd').includes('-ts'));
});

test('health check: cql = native OR storage port, all = every port, bounded waits', async () => {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const open = (server.address() as { port: number }).port;
  const closedServer = createServer();
  await new Promise<void>((r) => closedServer.listen(0, '127.0.0.1', r));
  const closed = (closedServer.address() as { port: number }).port;
  await new Promise<void>((r) => closedServer.close(() => r()));
  try {
    assert.equal(await isNodeUp('127.0.0.1', { nativePort: closed, storagePort: open, rpcPort: closed }, 'cql'), true);
    assert.equal(await isNodeUp('127.0.0.1', { nativePort: closed, storagePort: closed, rpcPort: open }, 'cql'), false);
    assert.equal(await isNodeUp('127.0.0.1', { nativePort: closed, storagePort: closed, rpcPort: open }, 'thrift'), true);
    assert.equal(await isNodeUp('127.0.0.1', { nativePort: open, storagePort: open, rpcPort: closed }, 'all'), false);
    assert.equal(await isNodeUp('127.0.0.1', { nativePort: open, storagePort: open, rpcPort: open }, 'all'), true);
  } finally {
    server.close();
  }
  const sleeps: number[] = [];
  const clock = { now: () => 0, sleep: (ms: number) => { sleeps.push(ms); return Promise.resolve(); } };
  let probes = 0;
  assert.equal(await waitUntil(() => Promise.resolve(++probes > 100), { attempts: 7, firstWaitMs: 5000, maxWaitMs: 120_000 }, clock), false);
  assert.equal(probes, 7);
  assert.deepEqual(sleeps, [5000, 10000, 20000, 40000, 80000, 120000]);
});
