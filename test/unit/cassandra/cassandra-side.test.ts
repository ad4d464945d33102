import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseCassandraYaml } from '../../../src/cassandra/cassandra-yaml.js';
import { hostIp, hostKeyOf } from '../../../src/cassandra/cql-session.js';
import { describeNodetoolCommand, Nodetool, nodetoolCommand, type NodetoolSettings } from '../../../src/cassandra/nodetool.js';
import { findSnapshotTables, snapshotExists } from '../../../src/cassandra/snapshot-files.js';
import type { HostResolver } from '../../../src/config/fqdn.js';
import { ConfigError, OperationError } from '../../../src/util/errors.js';

describe('cassandra.yaml', () => {
  test('defaults when keys are missing (Medusa and Cassandra defaults)', () => {
    const y = parseCassandraYaml('cluster_name: x\n', '/c.yaml');
    assert.deepEqual(y.dataFileDirectories, ['/var/lib/cassandra/data']);
    assert.equal(y.commitlogDirectory, '/var/lib/cassandra/commitlog');
    assert.equal(y.nativePort, 9042);
    assert.equal(y.storagePort, 7000);
    assert.equal(y.rpcPort, 9160);
    assert.equal(y.listenAddress, undefined);
    assert.deepEqual(y.seeds, []);
  });
  test('every data directory (JBOD), ports, listen address, seeds; values read as strings', () => {
    const y = parseCassandraYaml([
      'data_file_directories:', '  - /d1', '  - "/d2"', 'commitlog_directory: /cl', 'listen_address: 10.0.0.1',
      'native_transport_port: 19042', 'storage_port: 17000',
      'seed_provider:', '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider', '    parameters:', '      - seeds: "10.0.0.1, 10.0.0.2:7000"',
    ].join('\n'), '/c.yaml');
    assert.deepEqual(y.dataFileDirectories, ['/d1', '/d2']);
    assert.equal(y.listenAddress, '10.0.0.1');
    assert.equal(y.nativePort, 19042);
    assert.equal(y.storagePort, 17000);
    assert.deepEqual(y.seeds, ['10.0.0.1', '10.0.0.2:7000']);
  });
  test('client encryption: native_transport_port_ssl, else native_transport_port, else 9142', () => {
    const enc = 'client_encryption_options:\n  enabled: true\n';
    assert.equal(parseCassandraYaml(enc, 'c').nativePort, 9142);
    assert.equal(parseCassandraYaml(`${enc}native_transport_port: 9000\n`, 'c').nativePort, 9000);
    assert.equal(parseCassandraYaml(`${enc}native_transport_port: 9000\nnative_transport_port_ssl: 9500\n`, 'c').nativePort, 9500);
  });
  test('bad values name the file and key', () => {
    assert.throws(() => parseCassandraYaml('native_transport_port: abc\n', '/etc/c.yaml'), (e: unknown) => e instanceof ConfigError && /\/etc\/c\.yaml: native_transport_port/.test(e.message));
    assert.throws(() => parseCassandraYaml('data_file_directories: /one\n', '/c.yaml'), /data_file_directories/);
    assert.throws(() => parseCassandraYaml('a: [\n', '/c.yaml'), ConfigError);
  });
});

const base: NodetoolSettings = { nodetool_executable: 'nodetool', nodetool_flags: ['-Dcom.sun.jndi.rmiURLParsing=legacy'], nodetool_ssl: false };

describe('nodetool command line (reference §2.2)', () => {
  test('executable, flags, then --ssl -u -pw -pwf -h -p, then the subcommand', () => {
    const argv = nodetoolCommand({ ...base, nodetool_ssl: true, nodetool_username: 'u', nodetool_password: 'secret', nodetool_password_file_path: '/pwf', nodetool_host: 'h', nodetool_port: 7199 }, ['snapshot', '-t', 'medusa-b']);
    assert.deepEqual(argv, ['nodetool', '-Dcom.sun.jndi.rmiURLParsing=legacy', '--ssl', '-u', 'u', '-pw', 'secret', '-pwf', '/pwf', '-h', 'h', '-p', '7199', 'snapshot', '-t', 'medusa-b']);
    assert.equal(describeNodetoolCommand(argv).includes('secret'), false);
    assert.match(describeNodetoolCommand(argv), / -pw \*\*\* -pwf \/pwf /);
  });
  test('no options set: executable, flags and subcommand only', () => {
    assert.deepEqual(nodetoolCommand({ ...base, nodetool_flags: [] }, ['clearsnapshot', '-t', 'x']), ['nodetool', 'clearsnapshot', '-t', 'x']);
  });
  test('a failure is an OperationError naming the subcommand, never the password', async () => {
    const nt = new Nodetool({ ...base, nodetool_password: 'hunter22' }, {
      runner: () => Promise.reject(Object.assign(new Error('Command failed'), { code: 1, stdout: '', stderr: 'auth failed for hunter22' })),
    });
    await assert.rejects(nt.snapshot('medusa-b'), (e: unknown) => e instanceof OperationError && /nodetool snapshot -t medusa-b failed \(exit status 1\)/.test(e.message) && !e.message.includes('hunter22'));
  });
  test('a password in the output and the command is masked as *** (Medusa 0.31)', async () => {
    const nt = new Nodetool({ ...base, nodetool_password: 'hunter22' }, {
      runner: () => Promise.reject(Object.assign(new Error('Command failed'), { code: 1, stdout: 'usage: nodetool -pw <password>', stderr: 'bad login: -pw hunter22' })),
    });
    await assert.rejects(nt.snapshot('medusa-b'), (e: unknown) => {
      assert.ok(e instanceof OperationError);
      assert.match(e.message, /usage: nodetool -pw \*\*\* \| bad login: -pw \*\*\* \[command: nodetool -Dcom\.sun\.jndi\.rmiURLParsing=legacy -pw \*\*\* snapshot -t medusa-b\]$/);
      return true;
    });
  });
  test('nodetool\'s own "error:" line is shown, not the stack trace after it', async () => {
    const stderr = ['error: Snapshot medusa-b already exists.', '-- StackTrace --', 'java.io.IOException: Snapshot medusa-b already exists.', '\tat org.apache.cassandra.service.StorageService.takeSnapshot(StorageService.java:1)', '\tat java.base/java.lang.Thread.run(Thread.java:840)'].join('\n');
    const nt = new Nodetool({ ...base, nodetool_flags: [] }, { runner: () => Promise.reject(Object.assign(new Error('Command failed'), { code: 2, stdout: '', stderr })) });
    await assert.rejects(nt.snapshot('medusa-b'), { message: 'nodetool snapshot -t medusa-b failed (exit status 2): error: Snapshot medusa-b already exists. [command: nodetool snapshot -t medusa-b]' });
  });
});

describe('tokenmap host keys', () => {
  const resolver: HostResolver = {
    hostname: () => 'h',
    lookup: () => Promise.resolve('10.0.0.1'),
    reverse: (ip) => (ip === '10.0.0.9' ? Promise.reject(new Error('no')) : Promise.resolve(`node-${ip}.example.com`)),
    ptr: () => Promise.resolve(['10-0-0-1.ns.pod.cluster.local', 'cassandra-dc1-sts-0.svc.cluster.local']),
  };
  test('IP when resolve_ip_addresses is false, reverse name otherwise, IP when that fails, PTR label in k8s', async () => {
    assert.equal(await hostKeyOf('10.0.0.1', { resolveIpAddresses: false, k8sMode: false }, resolver), '10.0.0.1');
    assert.equal(await hostKeyOf('10.0.0.1', { resolveIpAddresses: true, k8sMode: false }, resolver), 'node-10.0.0.1.example.com');
    assert.equal(await hostKeyOf('10.0.0.9', { resolveIpAddresses: true, k8sMode: false }, resolver), '10.0.0.9');
    assert.equal(await hostKeyOf('10.0.0.1', { resolveIpAddresses: true, k8sMode: true }, resolver), 'cassandra-dc1-sts-0');
  });
  test('driver addresses', () => {
    assert.equal(hostIp('127.0.0.1:9042'), '127.0.0.1');
    assert.equal(hostIp('[::1]:9042'), '::1');
  });
});

describe('snapshot discovery', () => {
  const root = mkdtempSync(join(tmpdir(), 'medusa-snap-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, content = 'x'): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  put('d1/ks/t-1/snapshots/s/nb-1-big-Data.db', 'abc');
  put('d1/ks/t-1/snapshots/s/manifest.json');
  put('d1/ks/t-1/snapshots/s/schema.cql');
  put('d1/ks/t-1/snapshots/s/.t_idx/nb-1-big-Data.db', 'ab');
  put('d1/ks/t-1/snapshots/s/nb-1-big-Rows.db', '');
  put('d1/ks/t-1/snapshots/other/nb-9-big-Data.db');
  put('d1/ks/t-1/nb-3-big-Data.db');
  put('d2/ks/t-1/snapshots/s/nb-2-big-Data.db');
  put('d2/ks/e-2/snapshots/s/manifest.json');
  put('d1/system_traces/events-1/snapshots/s/nb-1-big-Data.db');
  symlinkSync('/etc/hostname', join(root, 'd1/ks/t-1/snapshots/s/link'));

  test('every data dir, hidden index folders, zero-byte files; not Cassandra files, other tags, system_traces, links', async () => {
    const tables = await findSnapshotTables([join(root, 'd1'), join(root, 'd2'), join(root, 'missing')], 's');
    assert.deepEqual(tables.map((t) => [t.keyspace, t.tableDir, t.files.map((f) => [f.relativePath, f.size])]), [
      ['ks', 'e-2', []],
      ['ks', 't-1', [['.t_idx/nb-1-big-Data.db', 2], ['nb-1-big-Data.db', 3], ['nb-1-big-Rows.db', 0], ['nb-2-big-Data.db', 1]]],
    ]);
    assert.equal(await snapshotExists([join(root, 'd2')], 's'), true);
    assert.equal(await snapshotExists([join(root, 'd1')], 'nope'), false);
  });
  test('one file name in two data dirs of one table is refused', async () => {
    put('d2/ks/t-1/snapshots/dup/nb-1-big-Data.db');
    put('d1/ks/t-1/snapshots/dup/nb-1-big-Data.db');
    await assert.rejects(findSnapshotTables([join(root, 'd1'), join(root, 'd2')], 'dup'), /exists in two data directories/);
  });
});
