import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBoolean } from '../../../src/config/values.js';
import { parseStorage, parseWith, problemsOf, where } from './helpers.js';

test('booleans: configparser words in any case', () => {
  const cases: [string, boolean | undefined][] = [
    ['1', true], ['yes', true], ['true', true], ['on', true], ['True', true], ['YES', true], ['On', true],
    ['0', false], ['no', false], ['false', false], ['off', false], ['False', false], ['NO', false], ['OFF', false],
    ['maybe', undefined], ['', undefined], ['2', undefined], ['t', undefined], ['y', undefined], ['enabled', undefined],
  ];
  for (const [text, value] of cases) assert.equal(parseBoolean(text), value, text);
});

test('booleans: through the parser, with a clear error for anything else', () => {
  const { config } = parseWith('[cassandra]\nuse_sudo = off\nis_ccm = 1\n[grpc]\nenabled = Yes\n');
  assert.equal(config.cassandra.use_sudo, false);
  assert.equal(config.cassandra.is_ccm, true);
  assert.equal(config.grpc.enabled, true);
  const [problem] = problemsOf(() => parseWith('[ssh]\nuse_pty = sometimes\n'));
  assert.deepEqual(problem, {
    section: 'ssh',
    key: 'use_pty',
    message: '"sometimes" is not a boolean (use true/false, yes/no, on/off or 1/0) (line 6)',
  });
});

test('ints: whole numbers with bounds', () => {
  const { config } = parseWith('[ssh]\nport = 2222\nkeepalive_seconds = +0\n[checks]\nexpected_rows = 3\n');
  assert.equal(config.ssh.port, 2222);
  assert.equal(config.ssh.keepalive_seconds, 0);
  assert.equal(config.checks.expected_rows, 3);
  const problems = problemsOf(() =>
    parseWith('[ssh]\nport = 0\n[checks]\nexpected_rows = 1.5\nmd5_check_concurrency = 0\n[grpc]\nport = 70000\n[logging]\nmaxBytes = 10MB\n'),
  );
  assert.deepEqual(
    problems.map((p) => `${p.section} ${p.key}: ${p.message}`),
    [
      'ssh port: 0 is too small (minimum 1) (line 6)',
      'checks expected_rows: "1.5" is not a whole number (line 8)',
      'checks md5_check_concurrency: 0 is too small (minimum 1) (line 9)',
      'logging maxBytes: "10MB" is not a whole number (line 13)',
      'grpc port: 70000 is too large (maximum 65535) (line 11)',
    ],
  );
});

test('sizes and bandwidth keys accept Medusa and IEC units', () => {
  const { config } = parseStorage(
    'storage_provider = local\nbucket_name = b\nbase_path = /x\ntransfer_max_bandwidth = 10 MiB/s\nmulti_part_upload_threshold = 104857600\nmultipart_chunksize = 8MB',
  );
  assert.equal(config.storage.transfer_max_bandwidth, 10 * 1024 * 1024);
  assert.equal(config.storage.multi_part_upload_threshold, 104857600);
  assert.equal(config.storage.multipart_chunksize, 8 * 1024 * 1024);
  const [problem] = problemsOf(() => parseStorage('storage_provider = local\nbucket_name = b\nbase_path = /x\nmultipart_chunksize = lots'));
  assert.equal(problem?.key, 'multipart_chunksize');
  assert.match(problem?.message ?? '', /^"lots" is not a size; expected bytes/);
});

test('enums: any case in, canonical spelling out; bad values listed', () => {
  const { config } = parseWith('[checks]\nhealth_check = ALL\n[logging]\nlevel = warn\n[monitoring]\nmonitoring_provider = none\n', {});
  assert.equal(config.checks.health_check, 'all');
  assert.equal(config.logging.level, 'WARNING');
  assert.equal(config.monitoring.monitoring_provider, 'None');
  const problems = problemsOf(() => parseWith('[checks]\nhealth_check = http\n[logging]\nlevel = verbose\n'));
  assert.deepEqual(problems.map((p) => p.message), [
    '"http" is not one of cql, thrift, all (line 6)',
    '"verbose" is not one of CRITICAL, ERROR, WARNING, INFO, DEBUG (line 8)',
  ]);
});

test('lists, literal-true and upper-cased storage class', () => {
  const { config, warnings } = parseWith('[cassandra]\nnodetool_flags = -Da=1   -Db=2\nnodetool_ssl = True\n');
  assert.deepEqual(config.cassandra.nodetool_flags, ['-Da=1', '-Db=2']);
  assert.equal(config.cassandra.nodetool_ssl, false, 'Medusa adds --ssl only for the exact text "true"');
  assert.deepEqual(warnings, ['[cassandra] nodetool_ssl: "True" is read as false: like Medusa, only the exact text "true" turns this on (line 7)']);
  assert.equal(parseWith('[cassandra]\nnodetool_ssl = true\n').config.cassandra.nodetool_ssl, true);
  assert.deepEqual(parseWith('[cassandra]\nnodetool_flags =\n').config.cassandra.nodetool_flags, []);
  const s3 = parseStorage('storage_provider = s3\nbucket_name = b\nstorage_class = standard_ia');
  assert.equal(s3.config.storage.storage_class, 'STANDARD_IA');
});

test('keys are case-insensitive (configparser lower-cases them): maxbytes is maxBytes', () => {
  const { config } = parseWith('[logging]\nMAXBYTES = 5\nbackupcount = 2\n');
  assert.equal(config.logging.maxBytes, 5);
  assert.equal(config.logging.backupCount, 2);
});

test('unknown keys and sections are warnings, not errors; k8s_mode in the file is ignored', () => {
  const { config, warnings } = parseWith('[storage2]\nx = 1\n[cassandra]\nfuture_key = 1\n', { fileName: '/etc/medusa/medusa.ini' });
  assert.ok(config);
  assert.deepEqual(warnings, [
    '/etc/medusa/medusa.ini: [storage2]: unknown section, ignored (line 5)',
    '/etc/medusa/medusa.ini: [cassandra] future_key: unknown key, ignored (line 8)',
  ]);
  const k8s = parseStorage('storage_provider = local\nbucket_name = b\nbase_path = /x\nk8s_mode = True');
  assert.equal(k8s.config.storage.k8s_mode, false);
  assert.match(k8s.warnings[0] ?? '', /k8s_mode: is computed, the value in the file is ignored/);
});

test('[DEFAULT] keys apply to every section that knows them, below its own keys', () => {
  const { config, warnings } = parseWith('[DEFAULT]\nenabled = true\nport = 2000\nnonsense = 1\n[grpc]\nport = 3000\n');
  assert.equal(config.logging.enabled, true);
  assert.equal(config.kubernetes.enabled, true);
  assert.equal(config.ssh.port, 2000);
  assert.equal(config.grpc.port, 3000);
  assert.deepEqual(warnings, ['[DEFAULT] nonsense: unknown key, ignored (line 8)']);
});

test('every problem at once, each with section and key, in one ConfigError', () => {
  const text = [
    '[storage]',
    'storage_provider = dropbox',
    'prefix = a/b',
    'max_backup_age = soon',
    'secure = perhaps',
    'transfer_max_bandwidth = fast',
    '[cassandra]',
    'nodetool_port = x',
    '[checks]',
    'health_check = ping',
    'garbage line',
  ].join('\n');
  const problems = problemsOf(() => parseStorage(text.replace('[storage]\n', '')));
  assert.deepEqual(where(problems).sort(), [
    'cassandra nodetool_port',
    'checks',
    'checks health_check',
    'storage bucket_name',
    'storage max_backup_age',
    'storage prefix',
    'storage secure',
    'storage storage_provider',
    'storage transfer_max_bandwidth',
  ]);
  try {
    parseStorage(text.replace('[storage]\n', ''), { fileName: 'medusa.ini' });
  } catch (err) {
    const message = (err as Error).message;
    assert.ok(message.startsWith('medusa.ini: '), message);
    assert.match(message, /\[storage\] bucket_name: is required/);
    assert.match(message, /\[checks\] line 11: line is not "key = value"/);
    assert.equal((err as { exitCode: number }).exitCode, 2);
  }
});

test('bucket_name and prefix must not contain "/" (nor be . or ..); fqdn segments likewise', () => {
  for (const [line, key] of [
    ['bucket_name = a/b', 'bucket_name'],
    ['bucket_name = ..', 'bucket_name'],
    ['prefix = /tenant', 'prefix'],
    ['prefix = .', 'prefix'],
    ['fqdn = ../etc', 'fqdn'],
    ['fqdn = a,..', 'fqdn'],
  ] as const) {
    const base = 'storage_provider = local\nbase_path = /x\n' + (key === 'bucket_name' ? '' : 'bucket_name = b\n');
    const problems = problemsOf(() => parseStorage(base + line));
    assert.deepEqual(where(problems), [`storage ${key}`], line);
  }
  assert.match(problemsOf(() => parseWith('', { overrides: { prefix: 'x/y' } }))[0]?.message ?? '', /must not contain "\/"/);
  const ok = parseStorage('storage_provider = local\nbase_path = /x\nbucket_name = b\nprefix = tenant-1\nfqdn = n1,n2');
  assert.equal(ok.config.storage.fqdn, 'n1,n2');
});

test('required keys: missing or empty', () => {
  assert.deepEqual(where(problemsOf(() => parseStorage('bucket_name ='))), ['storage storage_provider', 'storage bucket_name']);
  const [empty] = problemsOf(() => parseStorage('storage_provider = local\nbase_path = /x\nbucket_name ='));
  assert.deepEqual(empty, { section: 'storage', key: 'bucket_name', message: 'is empty (line 4)' });
});

test('no error or warning ever quotes a secret, even on a malformed line', () => {
  const secret = 'hunter2-Zq9';
  const problems = problemsOf(() => parseWith(`[cassandra]\ncql_password ${secret}\n`, { env: { MEDUSA_NODETOOL_PASSWORD: secret } }));
  assert.deepEqual(problems, [{ section: 'cassandra', message: 'line 6: line is not "key = value" (no "=" or ":")' }]);
  const s3 = problemsOf(() => parseStorage(`storage_provider = s3\nbucket_name = b\nsse_c_key = ${secret}`));
  assert.ok(!JSON.stringify(s3).includes(secret));
});
