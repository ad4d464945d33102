/**
 * The Kubernetes restore init container on a stand-in pod: a folder tree (cassandra.yaml, data and
 * commitlog folders) whose health-check ports nobody listens on, with a fixture bucket holding
 * backup b1 of node1 and node2. `medusa k8s-restore` runs with `--config-file` and
 * MEDUSA_LAST_RESTORE_FILE for the many cases; `k8s/entrypoint.sh` (this repository's `bin` on
 * PATH) runs as in the image, in a private mount namespace where the pod's folders are
 * `/etc/medusa` and `/var/lib/cassandra` (support/pod-mounts.ts). The restore on a real cluster,
 * driven as the operator drives it: test/cluster/k8s-init-restore.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../environments/object-stores/processes.js';
import { writeFixtureBucket, type FixtureNodeBackup, type FixtureSection } from '../support/fixture-bucket.js';
import { runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';
import { runInPod } from '../support/pod-mounts.js';

const scratch = scratchDir('medusa-k8s-restore-');
after(() => scratch.cleanup());
const repo = join(import.meta.dirname, '..', '..');
const ENTRYPOINT = join(repo, 'k8s', 'entrypoint.sh');

const USERS = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const LOCAL = 'local-7ad54392bcdd35a684174e047860b377';
const ROLES = 'roles-5bc52802de2535edaeab188eecebb090';
const TOKENS = { node1: [-9223372036854775808n, 1n], node2: [-4611686018427387904n, 4611686018427387904n] };

function sections(host: string): FixtureSection[] {
  return [
    { keyspace: 'app', columnfamily: USERS, objects: [{ file: 'nb-1-big-Data.db', content: `users of ${host}` }] },
    { keyspace: 'system', columnfamily: LOCAL, objects: [{ file: 'nb-3-big-Data.db', content: `local of ${host}` }] },
    { keyspace: 'system_auth', columnfamily: ROLES, objects: [{ file: 'nb-5-big-Data.db', content: `roles of ${host}` }] },
  ];
}
const tokenmap = {
  node1: { tokens: TOKENS.node1, isUp: true, rack: 'rack1', dc: 'dc1' },
  node2: { tokens: TOKENS.node2, isUp: true, rack: 'rack2', dc: 'dc1' },
};
const backups: FixtureNodeBackup[] = (['node1', 'node2'] as const).map((fqdn) => ({
  name: 'b1', fqdn, mode: 'full', started: 1_700_000_000, finished: 1_700_000_100, tokenmap, sections: sections(fqdn),
}));

let closedPort = 0;
before(async () => {
  closedPort = await freePort();
});

interface Pod {
  readonly dir: string;
  readonly data: string;
  readonly yaml: string;
  readonly marker: string;
  readonly ini: string;
  run(env: Record<string, string>, configLines?: string[]): CliResult;
}

let counter = 0;
/**
 * A stand-in pod whose fqdn is `fqdn`; its live tables hold "live" files. Its Cassandra volume is
 * `<dir>/var/lib/cassandra`; with `podView` the configuration names it `/var/lib/cassandra`, as the
 * pod sees it through `runInPod`.
 */
function pod(fqdn: string, options: { kubernetes?: boolean; port?: number; podView?: boolean } = {}): Pod {
  const dir = join(scratch.dir, `pod-${++counter}`);
  writeFixtureBucket(dir, 'bucket', { nodeBackups: backups });
  const root = join(dir, 'var', 'lib', 'cassandra');
  const seen = options.podView ? '/var/lib/cassandra' : root;
  const data = join(root, 'data');
  for (const [ks, t] of [['app', USERS], ['system', LOCAL], ['system_auth', ROLES]] as const) {
    mkdirSync(join(data, ks, t), { recursive: true });
    writeFileSync(join(data, ks, t, 'nb-9-big-Data.db'), `live ${ks}`);
  }
  mkdirSync(join(root, 'commitlog'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = options.port ?? closedPort;
  const yaml = join(dir, 'cassandra.yaml');
  writeFileSync(yaml, ['cluster_name: test', 'num_tokens: 16', 'data_file_directories:', `    - ${join(seen, 'data')}`, `commitlog_directory: ${join(seen, 'commitlog')}`,
    'listen_address: 127.0.0.1', `native_transport_port: ${port}`, `storage_port: ${port}`, ''].join('\n'));
  const ini = writeLocalIni(join(dir, 'etc', 'medusa'), {
    basePath: dir, bucket: 'bucket', fqdn,
    extra: ['[cassandra]', `config_file = ${yaml}`, `stop_cmd = touch ${join(dir, 'stopped')}`, `start_cmd = touch ${join(dir, 'started')}`, '',
      '[kubernetes]', `enabled = ${options.kubernetes === false ? 'False' : 'True'}`, ''].join('\n'),
  });
  const marker = join(root, '.last-restore');
  return {
    dir, data, yaml, marker, ini,
    run: (env) => runMedusa(['--config-file', ini, '--without-log-timestamp', 'k8s-restore'], {
      cwd: dir, env: { POD_IP: '', MEDUSA_LAST_RESTORE_FILE: marker, MEDUSA_TMP_DIR: join(dir, 'tmp'), ...env },
    }),
  };
}

const files = (p: Pod, ks: string, t: string): string[] =>
  !existsSync(join(p.data, ks, t)) ? [] : readdirSync(join(p.data, ks, t)).sort().map((f) => `${f}=${readFileSync(join(p.data, ks, t, f), 'utf8')}`);
const errorLines = (r: CliResult): string[] => r.stderr.split('\n').filter((l) => l.startsWith('ERROR: '));
const untouched = (p: Pod): void => {
  assert.deepEqual(files(p, 'app', USERS), ['nb-9-big-Data.db=live app']);
  assert.equal(existsSync(p.marker), false, '.last-restore must not be written');
  assert.equal(existsSync(join(p.dir, 'stopped')) || existsSync(join(p.dir, 'started')), false);
};
const remoteMapping = JSON.stringify({ in_place: false, host_map: { 'pod-a': { source: ['node1'], seed: false }, 'pod-b': { source: ['node2'], seed: false } } });

describe('medusa k8s-restore (stand-in pod)', () => {
  test('in place: this node\'s backup replaces the live tables, Cassandra is neither stopped nor started, the key is recorded', () => {
    const p = pod('node1');
    const r = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-1', RESTORE_MAPPING: '{"in_place": true, "host_map": {}}' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(files(p, 'app', USERS), ['nb-1-big-Data.db=users of node1']);
    assert.deepEqual(files(p, 'system', LOCAL), ['nb-3-big-Data.db=local of node1']);
    assert.deepEqual(files(p, 'system_auth', ROLES), ['nb-5-big-Data.db=roles of node1']);
    assert.equal(readFileSync(p.marker, 'utf8'), 'key-1\n');
    assert.equal(existsSync(join(p.dir, 'stopped')) || existsSync(join(p.dir, 'started')), false);
    assert.match(readFileSync(p.yaml, 'utf8'), /^num_tokens: 16$/m);

    const again = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-1' });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /INFO: Nothing to restore: restore key-1 was already done \(\.last-restore holds its key\)/);
  });

  test('remote: the source RESTORE_MAPPING names for POD_NAME, its tokens pinned, system_auth kept, system.local cleared', () => {
    const p = pod('pod-b-address');
    const r = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-2', RESTORE_MAPPING: remoteMapping, POD_NAME: 'pod-b' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(files(p, 'app', USERS), ['nb-1-big-Data.db=users of node2']);
    assert.deepEqual(files(p, 'system', LOCAL), []);
    assert.deepEqual(files(p, 'system_auth', ROLES), ['nb-9-big-Data.db=live system_auth']);
    const yaml = readFileSync(p.yaml, 'utf8');
    assert.match(yaml, /^num_tokens: 2$/m);
    assert.match(yaml, new RegExp(`^initial_token: ${TOKENS.node2.join(',')}$`, 'm'));
    assert.match(yaml, /^auto_bootstrap: false$/m);
    assert.equal(readFileSync(p.marker, 'utf8'), 'key-2\n');
  });

  test('a pod the mapping does not name: nothing restored, the key recorded (as Medusa)', () => {
    const p = pod('x');
    const r = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-3', RESTORE_MAPPING: remoteMapping, POD_NAME: 'pod-z' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /POD_NAME pod-z is not in RESTORE_MAPPING's host_map/);
    assert.deepEqual(files(p, 'app', USERS), ['nb-9-big-Data.db=live app']);
    assert.equal(readFileSync(p.marker, 'utf8'), 'key-3\n');
  });

  test('a restarted init container keeps the files already downloaded and checked', () => {
    const p = pod('node1');
    // What an interrupted run leaves: the staging folder beside the data directory, one file in.
    const staged = join(p.dir, 'var', 'lib', 'cassandra', '.medusa-restore-node1-b1', 'app', USERS);
    mkdirSync(staged, { recursive: true });
    writeFileSync(join(staged, 'nb-1-big-Data.db'), 'users of node1');
    const r = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-4' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Downloaded 2 files \(\d+ bytes\); 1 files \(\d+ bytes\) were already there/);
    assert.deepEqual(files(p, 'app', USERS), ['nb-1-big-Data.db=users of node1']);
  });

  describe('bad input: one line, non-zero exit, live data untouched, no key recorded', () => {
    const cases: Array<[string, () => Pod, Record<string, string>, number, string | RegExp]> = [
      ['malformed RESTORE_MAPPING', () => pod('node1'), { RESTORE_MAPPING: '{"in_place": "no"}' }, 2, 'ERROR: RESTORE_MAPPING: in_place must be true or false, got "no"'],
      ['RESTORE_MAPPING that is not JSON', () => pod('node1'), { RESTORE_MAPPING: 'in_place=false' }, 2, /^ERROR: RESTORE_MAPPING is not JSON \(.+\)$/],
      ['remote without POD_NAME', () => pod('node1'), { RESTORE_MAPPING: remoteMapping }, 2, 'ERROR: RESTORE_MAPPING restores from other hosts (in_place false) but POD_NAME is not set: which pod is this?'],
      ['unknown backup', () => pod('node1'), { BACKUP_NAME: 'nope' }, 1, 'ERROR: BACKUP_NAME nope: no such backup in the bucket'],
      ['a source host the backup does not have', () => pod('x'), { RESTORE_MAPPING: JSON.stringify({ in_place: false, host_map: { 'pod-a': { source: ['node7'], seed: false } } }), POD_NAME: 'pod-a' }, 1,
        'ERROR: backup b1 has no node node7 (the source RESTORE_MAPPING names for pod pod-a); its nodes: node1, node2'],
      ['in place on a pod the backup does not have', () => pod('node9'), {}, 1, 'ERROR: backup b1 has no node node9 (this pod\'s own fqdn, restoring in place); its nodes: node1, node2'],
      ['Kubernetes mode off', () => pod('node1', { kubernetes: false }), {}, 2, /^ERROR: \[kubernetes\] enabled is not set: /],
    ];
    for (const [name, make, env, status, message] of cases) {
      test(name, () => {
        const p = make();
        const r = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-bad', ...env });
        assert.equal(r.status, status, r.stderr);
        const lines = errorLines(r);
        assert.equal(lines.length, 1, r.stderr);
        if (typeof message === 'string') assert.equal(lines[0], message);
        else assert.match(lines[0]!, message);
        untouched(p);
      });
    }

    test('Cassandra running (its port answers): refused before anything is downloaded', async () => {
      const server: Server = createServer((s) => s.destroy());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const p = pod('node1', { port: (server.address() as { port: number }).port });
        // The kernel completes the connection from its listen queue even while this process waits.
        const r = p.run({ BACKUP_NAME: 'b1', RESTORE_KEY: 'key-bad' });
        assert.equal(r.status, 1, r.stderr);
        assert.match(errorLines(r).join('\n'), /^ERROR: Cassandra is running \(127\.0\.0\.1:\d+ answers\): the Kubernetes restore replaces its files, so it runs only before Cassandra starts \(the init container\)$/);
        untouched(p);
        assert.equal(existsSync(join(p.dir, 'var', 'lib', 'cassandra', '.medusa-restore-node1-b1')), false, 'nothing staged');
      } finally {
        server.close();
      }
    });
  });
});

describe('k8s/entrypoint.sh (the image\'s entrypoint)', () => {
  const entry = (env: Record<string, string>): { status: number; stdout: string; stderr: string; ms: number } => {
    const started = Date.now();
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['MEDUSA_MODE', 'DEBUG_SLEEP', 'BACKUP_NAME', 'RESTORE_KEY', 'RESTORE_MAPPING'].includes(k)));
    const r = spawnSync(ENTRYPOINT, [], { env: { ...clean, PATH: `${join(repo, 'bin')}${delimiter}${process.env['PATH'] ?? ''}`, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
  };

  test('an unknown or missing MEDUSA_MODE: exit 1 with one line saying what is expected', () => {
    for (const mode of ['BACKUP', '']) {
      const r = entry(mode === '' ? {} : { MEDUSA_MODE: mode });
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `MEDUSA_MODE must be GRPC (the gRPC agent) or RESTORE (the restore init container), got '${mode}'\n`);
    }
  });

  test('RESTORE without BACKUP_NAME / RESTORE_KEY: nothing to do, exit 0, no configuration read', () => {
    const r = entry({ MEDUSA_MODE: 'RESTORE' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^MEDUSA_MODE = RESTORE$/m);
    assert.match(r.stderr, /Nothing to restore: BACKUP_NAME or RESTORE_KEY is not set/);
  });

  test('RESTORE whose key .last-restore already holds: skipped, exit 0', () => {
    const marker = join(scratch.dir, 'entry-last-restore');
    writeFileSync(marker, 'key-9\n');
    const r = entry({ MEDUSA_MODE: 'RESTORE', BACKUP_NAME: 'b1', RESTORE_KEY: 'key-9', MEDUSA_LAST_RESTORE_FILE: marker });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Nothing to restore: restore key-9 was already done/);
  });

  test('RESTORE with a malformed mapping: the command\'s one line, its exit code', () => {
    const r = entry({ MEDUSA_MODE: 'RESTORE', BACKUP_NAME: 'b1', RESTORE_KEY: 'k', RESTORE_MAPPING: '[]', MEDUSA_LAST_RESTORE_FILE: join(scratch.dir, 'none') });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ERROR: RESTORE_MAPPING must be a JSON object/);
  });

  const inPod = (p: Pod, env: Record<string, string>): ReturnType<typeof runInPod> => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MEDUSA_|POD_|BACKUP_NAME$|RESTORE_|DEBUG_SLEEP$)/.test(k)));
    return runInPod({ etcMedusa: join(p.dir, 'etc', 'medusa'), varLibCassandra: join(p.dir, 'var', 'lib', 'cassandra') }, [ENTRYPOINT], {
      ...clean, TZ: 'UTC', PATH: `${join(repo, 'bin')}${delimiter}${process.env['PATH'] ?? ''}`, ...env,
    });
  };

  test('RESTORE as in the image: /etc/medusa/medusa.ini read, the pod restored, /var/lib/cassandra/.last-restore written', () => {
    const p = pod('node1', { podView: true });
    const r = inPod(p, { MEDUSA_MODE: 'RESTORE', BACKUP_NAME: 'b1', RESTORE_KEY: 'key-pod', MEDUSA_TMP_DIR: '/var/lib/cassandra' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(files(p, 'app', USERS), ['nb-1-big-Data.db=users of node1']);
    assert.equal(readFileSync(p.marker, 'utf8'), 'key-pod\n');
    const again = inPod(p, { MEDUSA_MODE: 'RESTORE', BACKUP_NAME: 'b1', RESTORE_KEY: 'key-pod' });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /Nothing to restore: restore key-pod was already done/);
  });

  test('RESTORE of an unknown backup as in the image: one line, exit 1, nothing touched', () => {
    const p = pod('node1', { podView: true });
    const r = inPod(p, { MEDUSA_MODE: 'RESTORE', BACKUP_NAME: 'gone', RESTORE_KEY: 'key-pod' });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.stderr.split('\n').filter((l) => / ERROR: /.test(l)).map((l) => l.replace(/^\[[^\]]+\] /, '')), ['ERROR: BACKUP_NAME gone: no such backup in the bucket']);
    untouched(p);
  });

  test('DEBUG_SLEEP is slept first; a value that is not a number is refused', () => {
    const slept = entry({ MEDUSA_MODE: 'RESTORE', DEBUG_SLEEP: '1' });
    assert.equal(slept.status, 0, slept.stderr);
    assert.match(slept.stdout, /^sleeping for 1 sec$/m);
    assert.ok(slept.ms >= 1000, `took ${slept.ms} ms`);
    const bad = entry({ MEDUSA_MODE: 'RESTORE', DEBUG_SLEEP: 'soon' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, "DEBUG_SLEEP must be a number of seconds, got 'soon'\n");
  });
});
