import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigFileError, loadConfig } from '../../../src/config/load.js';
import type { HostResolver } from '../../../src/config/fqdn.js';
import { ConfigError } from '../../../src/util/errors.js';
import { MINIMAL } from './helpers.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medusa-config-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fakeDns: HostResolver = {
  hostname: () => 'cass1',
  lookup: () => Promise.resolve('10.0.0.5'),
  reverse: () => Promise.resolve('cass1.example.com'),
  ptr: () => Promise.resolve(['pod-0.svc.local']),
};

const noDns: HostResolver = {
  hostname: () => assert.fail('no DNS expected'),
  lookup: () => assert.fail('no DNS expected'),
  reverse: () => assert.fail('no DNS expected'),
  ptr: () => assert.fail('no DNS expected'),
};

async function writeIni(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

test('load: reads the file and computes the fqdn when none is configured', async () => {
  const configFile = await writeIni('plain.ini', MINIMAL + '[cassandra]\nresolve_ip_addresses = false\n');
  const loaded = await loadConfig({ configFile, env: {}, resolver: fakeDns });
  assert.equal(loaded.filePath, configFile);
  assert.equal(loaded.config.storage.fqdn, '10.0.0.5');
  assert.equal(loaded.fqdnSource, 'default');
  assert.deepEqual(loaded.warnings, []);
  const resolved = await loadConfig({ configFile: await writeIni('resolve.ini', MINIMAL), env: {}, resolver: fakeDns });
  assert.equal(resolved.config.storage.fqdn, 'cass1.example.com');
});

test('load: no DNS when the fqdn comes from the file, --fqdn or POD_IP', async () => {
  const configFile = await writeIni('fqdn.ini', MINIMAL.replace('[storage]\n', '[storage]\nfqdn = cass-7\n'));
  assert.equal((await loadConfig({ configFile, env: {}, resolver: noDns })).config.storage.fqdn, 'cass-7');
  const plain = await writeIni('plain2.ini', MINIMAL);
  assert.equal((await loadConfig({ configFile: plain, env: {}, overrides: { fqdn: 'x' }, resolver: noDns })).config.storage.fqdn, 'x');
  const k8s = await writeIni('k8s.ini', MINIMAL + '[kubernetes]\nenabled = true\n');
  assert.equal((await loadConfig({ configFile: k8s, env: { POD_IP: '10.9.9.9' }, resolver: noDns })).config.storage.fqdn, '10.9.9.9');
});

test('load: k8s secret folders (trimmed), paths from the file or the environment', async () => {
  const cql = join(dir, 'cql-secret');
  const jmx = join(dir, 'jmx-secret');
  await mkdir(cql);
  await mkdir(jmx);
  await writeFile(join(cql, 'username'), 'cql-user\n');
  await writeFile(join(cql, 'password'), '  cql-pass\n');
  await writeFile(join(jmx, 'username'), 'jmx-user');
  await writeFile(join(jmx, 'password'), 'jmx-pass');
  const configFile = await writeIni('secrets.ini', MINIMAL + `[cassandra]\ncql_k8s_secrets_path = ${cql}\ncql_username = ignored\n`);
  const loaded = await loadConfig({
    configFile,
    env: { MEDUSA_NODETOOL_K8S_SECRETS_PATH: jmx, MEDUSA_CQL_USERNAME: 'also-ignored' },
    overrides: { fqdn: 'n' },
  });
  const c = loaded.config.cassandra;
  assert.deepEqual([c.cql_username, c.cql_password, c.nodetool_username, c.nodetool_password], ['cql-user', 'cql-pass', 'jmx-user', 'jmx-pass']);
});

test('load: an unreadable secret folder is a ConfigError naming the files', async () => {
  const configFile = await writeIni('bad-secrets.ini', MINIMAL + `[cassandra]\ncql_k8s_secrets_path = ${join(dir, 'nowhere')}\n`);
  await assert.rejects(loadConfig({ configFile, env: {}, overrides: { fqdn: 'n' } }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 2);
    assert.match(err.message, /\[cassandra\] cql_k8s_secrets_path: cannot read .*nowhere\/username: no such file/);
    assert.equal(err.exitCode, 2);
    return true;
  });
});

test('load: a missing or unreadable file is one clear line naming it, exit 2', async () => {
  const missing = join(dir, 'missing.ini');
  await assert.rejects(loadConfig({ configFile: missing, env: {} }), (err: unknown) => {
    assert.ok(err instanceof ConfigFileError);
    assert.equal(err.message, `cannot read configuration file ${missing}: no such file`);
    assert.equal(err.exitCode, 2);
    return true;
  });
  await assert.rejects(loadConfig({ configFile: dir, env: {} }), /cannot read configuration file .*: is a directory/);
});

test('load: content errors carry the file name', async () => {
  const configFile = await writeIni('broken.ini', '[storage]\nbucket_name = a/b\n');
  await assert.rejects(loadConfig({ configFile, env: {}, resolver: fakeDns }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.ok(err.message.startsWith(`${configFile}: `), err.message);
    return true;
  });
});
