import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINIMAL, parseWith } from './helpers.js';
import { parseConfig } from '../../../src/config/parse.js';

// Medusa 0.31's defaults (medusa/config.py `_build_default_config`, unchanged since 0.30, plus reference §2), written
// out by hand so a change in the schema table cannot silently change a default.
test('defaults: every key of every section', () => {
  const { config, warnings, fqdnSource } = parseWith('', { env: { USER: 'cassandra' } });
  assert.deepEqual(warnings, []);
  assert.equal(fqdnSource, 'default');
  assert.deepEqual(config, {
    storage: {
      storage_provider: 'local',
      bucket_name: 'b',
      base_path: '/var/backups',
      fqdn: 'node1.example.com',
      host_file_separator: ',',
      max_backup_age: 0,
      max_backup_count: 0,
      api_profile: '',
      region: 'default',
      transfer_max_bandwidth: 52428800,
      concurrent_transfers: 1,
      multi_part_upload_threshold: 20971520,
      multipart_chunksize: 52428800,
      multipart_max_concurrency: 4,
      secure: true,
      ssl_verify: false,
      s3_addressing_style: 'auto',
      backup_grace_period_in_days: 10,
      use_sudo_for_restore: true,
      aws_cli_path: 'aws',
      k8s_mode: false,
    },
    cassandra: {
      config_file: '/etc/cassandra/cassandra.yaml',
      start_cmd: 'sudo service cassandra start',
      stop_cmd: 'sudo service cassandra stop',
      check_running: 'nodetool version',
      is_ccm: false,
      nodetool_executable: 'nodetool',
      nodetool_flags: ['-Dcom.sun.jndi.rmiURLParsing=legacy'],
      nodetool_ssl: false,
      sstableloader_bin: 'sstableloader',
      resolve_ip_addresses: true,
      use_sudo: true,
    },
    ssh: { username: 'cassandra', key_file: '', port: 22, cert_file: '', use_pty: false, keepalive_seconds: 60, login_shell: false },
    checks: { health_check: 'cql', query: '', expected_rows: 0, expected_result: '', enable_md5_checks: false, md5_check_concurrency: 1 },
    monitoring: { monitoring_provider: 'None', send_backup_name_tag: false, prometheus_textfile: '/var/lib/prometheus/node-exporter/medusa.prom', prometheus_http_host: '0.0.0.0' },
    logging: { enabled: false, file: 'medusa.log', level: 'INFO', format: '[%(asctime)s] %(levelname)s: %(message)s', maxBytes: 20000000, backupCount: 50 },
    grpc: { enabled: false, port: 50051, max_send_message_length: 536870912, max_receive_message_length: 134217728 },
    kubernetes: { enabled: false, use_mgmt_api: false },
  });
});

test('defaults: the result is deeply frozen', () => {
  const { config } = parseWith('');
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.storage));
  assert.ok(Object.isFrozen(config.cassandra.nodetool_flags));
  assert.throws(() => {
    (config.storage as { bucket_name: string }).bucket_name = 'x';
  }, TypeError);
});

test('defaults: no $USER gives an empty ssh username; no defaultFqdn gives an empty fqdn', () => {
  const { config, fqdnSource } = parseConfig(MINIMAL);
  assert.equal(config.ssh.username, '');
  assert.equal(config.storage.fqdn, '');
  assert.equal(fqdnSource, 'default');
});

test('defaults: empty optional values and "None" cassandra_url mean unset', () => {
  const { config } = parseWith('[cassandra]\ncql_username =\nnodetool_port =\n[kubernetes]\ncassandra_url = None\n');
  assert.equal(config.cassandra.cql_username, undefined);
  assert.equal(config.cassandra.nodetool_port, undefined);
  assert.equal(config.kubernetes.cassandra_url, undefined);
  assert.equal('cql_username' in config.cassandra, false);
});
