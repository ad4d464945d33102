import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINIMAL, parseWith, problemsOf } from './helpers.js';
import { parseConfig } from '../../../src/config/parse.js';

test('env: MEDUSA_* variables override [cassandra] keys from the file', () => {
  const { config, warnings } = parseWith('[cassandra]\ncql_username = file-user\nresolve_ip_addresses = true\n', {
    env: {
      MEDUSA_CQL_USERNAME: 'env-user',
      MEDUSA_CQL_PASSWORD: 'env-pass',
      MEDUSA_NODETOOL_USERNAME: 'jmx',
      MEDUSA_NODETOOL_PASSWORD: 'jmx-pass',
      MEDUSA_SSTABLELOADER_TSPW: 'ts',
      MEDUSA_SSTABLELOADER_KSPW: 'ks',
      MEDUSA_RESOLVE_IP_ADDRESSES: 'False',
      MEDUSA_CQL_K8S_SECRETS_PATH: '/secrets/cql',
      MEDUSA_NODETOOL_K8S_SECRETS_PATH: '/secrets/jmx',
    },
  });
  assert.deepEqual(warnings, []);
  const c = config.cassandra;
  assert.deepEqual(
    [c.cql_username, c.cql_password, c.nodetool_username, c.nodetool_password, c.sstableloader_tspw, c.sstableloader_kspw],
    ['env-user', 'env-pass', 'jmx', 'jmx-pass', 'ts', 'ks'],
  );
  assert.equal(c.resolve_ip_addresses, false);
  assert.equal(c.cql_k8s_secrets_path, '/secrets/cql');
  assert.equal(c.nodetool_k8s_secrets_path, '/secrets/jmx');
});

test('env: deprecated CQL_USERNAME/CQL_PASSWORD honoured with a warning; new names win', () => {
  const old = parseWith('', { env: { CQL_USERNAME: 'old-user', CQL_PASSWORD: 'old-pass' } });
  assert.equal(old.config.cassandra.cql_username, 'old-user');
  assert.equal(old.config.cassandra.cql_password, 'old-pass');
  assert.deepEqual(old.warnings, [
    'environment variable CQL_USERNAME is deprecated, use MEDUSA_CQL_USERNAME',
    'environment variable CQL_PASSWORD is deprecated, use MEDUSA_CQL_PASSWORD',
  ]);
  const both = parseWith('', { env: { CQL_USERNAME: 'old', MEDUSA_CQL_USERNAME: 'new' } });
  assert.equal(both.config.cassandra.cql_username, 'new');
  assert.deepEqual(both.warnings, ['environment variable CQL_USERNAME is deprecated, use MEDUSA_CQL_USERNAME (both are set: MEDUSA_CQL_USERNAME wins)']);
});

test('env: a bad value names the variable', () => {
  const [problem] = problemsOf(() => parseWith('', { env: { MEDUSA_RESOLVE_IP_ADDRESSES: 'nope' } }));
  assert.deepEqual(problem, {
    section: 'cassandra',
    key: 'resolve_ip_addresses',
    message: '"nope" is not a boolean (use true/false, yes/no, on/off or 1/0) (from environment variable MEDUSA_RESOLVE_IP_ADDRESSES)',
  });
});

test('CLI overrides: each changes exactly one key; --key-file never touches [ssh] key_file', () => {
  const text = MINIMAL.replace('[storage]\n', '[storage]\nkey_file = /etc/medusa/creds\nprefix = p\n') + '[ssh]\nkey_file = /home/c/.ssh/id_rsa\nusername = file-user\n';
  const keyFileOnly = parseConfig(text, { overrides: { key_file: '/tmp/other-creds' } });
  assert.equal(keyFileOnly.config.storage.key_file, '/tmp/other-creds');
  assert.equal(keyFileOnly.config.ssh.key_file, '/home/c/.ssh/id_rsa');

  const all = parseConfig(text, {
    overrides: {
      bucket_name: 'other-bucket',
      prefix: 'tenant2',
      fqdn: 'node9',
      backup_grace_period_in_days: '3',
      ssh_username: 'ops',
      ssh_key_file: '/keys/ops',
    },
  });
  assert.equal(all.config.storage.bucket_name, 'other-bucket');
  assert.equal(all.config.storage.prefix, 'tenant2');
  assert.equal(all.config.storage.fqdn, 'node9');
  assert.equal(all.fqdnSource, 'command-line');
  assert.equal(all.config.storage.backup_grace_period_in_days, 3);
  assert.equal(all.config.storage.key_file, '/etc/medusa/creds');
  assert.equal(all.config.ssh.username, 'ops');
  assert.equal(all.config.ssh.key_file, '/keys/ops');

  const [problem] = problemsOf(() => parseConfig(text, { overrides: { backup_grace_period_in_days: 'ten' } }));
  assert.deepEqual(problem, {
    section: 'storage',
    key: 'backup_grace_period_in_days',
    message: '"ten" is not a whole number (from --backup-grace-period-in-days)',
  });
});

test('CLI overrides beat the file, environment variables beat the CLI-independent file values', () => {
  const r = parseWith('[cassandra]\nnodetool_username = f\n', { overrides: { bucket_name: 'cli' }, env: { MEDUSA_NODETOOL_USERNAME: 'e' } });
  assert.equal(r.config.storage.bucket_name, 'cli');
  assert.equal(r.config.cassandra.nodetool_username, 'e');
});

test('k8s: sudo forced off, k8s_mode on, fqdn = POD_IP (over the file), --fqdn still wins', () => {
  const k8s = '[kubernetes]\nenabled = true\ncassandra_url = http://127.0.0.1:8080/api/v0/ops/node/snapshots\nuse_mgmt_api = 1\n';
  const r = parseWith(k8s, { env: { POD_IP: '10.1.2.3' } });
  assert.equal(r.config.cassandra.use_sudo, false);
  assert.equal(r.config.storage.use_sudo_for_restore, false);
  assert.equal(r.config.storage.k8s_mode, true);
  assert.equal(r.config.storage.fqdn, '10.1.2.3');
  assert.equal(r.fqdnSource, 'POD_IP');
  assert.equal(r.config.kubernetes.use_mgmt_api, true);
  assert.deepEqual(r.warnings, [], 'sudo left at its default is switched off silently');

  const fileFqdn = parseConfig(MINIMAL.replace('[storage]\n', '[storage]\nfqdn = from-file\n') + k8s, { env: { POD_IP: '10.1.2.3' } });
  assert.equal(fileFqdn.config.storage.fqdn, '10.1.2.3');

  const cli = parseWith(k8s, { env: { POD_IP: '10.1.2.3' }, overrides: { fqdn: 'source-node' } });
  assert.equal(cli.config.storage.fqdn, 'source-node');

  const noPodIp = parseWith(k8s, { env: {} });
  assert.equal(noPodIp.config.storage.fqdn, 'node1.example.com');
  assert.equal(noPodIp.fqdnSource, 'default');

  const explicit = parseWith(k8s + '[cassandra]\nuse_sudo = True\n');
  assert.equal(explicit.config.cassandra.use_sudo, false);
  assert.deepEqual(explicit.warnings, ['[cassandra] use_sudo: forced to false because Kubernetes mode is enabled']);
});

test('k8s off: POD_IP is ignored and sudo settings are kept', () => {
  const r = parseWith('[cassandra]\nuse_sudo = no\n', { env: { POD_IP: '10.1.2.3' } });
  assert.equal(r.config.storage.fqdn, 'node1.example.com');
  assert.equal(r.config.cassandra.use_sudo, false);
  assert.equal(r.config.storage.use_sudo_for_restore, true);
  assert.equal(r.config.storage.k8s_mode, false);
});

test('k8s secret files override env and file credentials', () => {
  const r = parseWith('[cassandra]\ncql_username = f\ncql_password = fp\n', {
    env: { MEDUSA_CQL_USERNAME: 'e', MEDUSA_NODETOOL_USERNAME: 'ej' },
    secrets: {
      cql: { path: '/s/cql', username: 'k8s-user', password: 'k8s-pass' },
      nodetool: { path: '/s/jmx', username: 'k8s-jmx', password: 'k8s-jmx-pass' },
    },
  });
  const c = r.config.cassandra;
  assert.deepEqual([c.cql_username, c.cql_password, c.nodetool_username, c.nodetool_password], ['k8s-user', 'k8s-pass', 'k8s-jmx', 'k8s-jmx-pass']);
});

test('fqdn: the file wins over the computed default; an empty fqdn means computed', () => {
  const file = parseConfig(MINIMAL.replace('[storage]\n', '[storage]\nfqdn = cass-1\n'), { defaultFqdn: 'computed' });
  assert.equal(file.config.storage.fqdn, 'cass-1');
  assert.equal(file.fqdnSource, 'file');
  const empty = parseConfig(MINIMAL.replace('[storage]\n', '[storage]\nfqdn =\n'), { defaultFqdn: 'computed' });
  assert.equal(empty.config.storage.fqdn, 'computed');
  assert.equal(empty.fqdnSource, 'default');
});
