/**
 * Issue 13 with two writers on one local bucket and a real Cassandra 5.0 node (MEDUSA_TEST_NODE),
 * a table with a secondary index included: Python Medusa 0.31 takes full b1, ours differential b2,
 * Python differential b3; ours restores b1 in place; new writes make Cassandra reuse SSTable names
 * of b3 with other content; ours takes differential b4. Then:
 * - nothing ours wrote changed an object (every byte of the bucket before b4 is still there);
 * - b4 stored the renamed files under content-tagged keys, index components with their `.<index>`
 *   folder;
 * - Python lists every backup, verifies b4, downloads it to exactly the snapshot's files, and
 *   restores it in place: the node comes back with b4's rows, the index answering;
 * - our `verify --all --enable-md5-checks` passes for the whole chain.
 *
 * The node is the interop group's own (only this suite uses it): restores stop and start it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withCql } from '../harness/cql-client.js';
import { countRows, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { waitNodeReady } from '../harness/node-control.js';
import type { NodeDescriptor } from '../harness/node-descriptor.js';
import { testNode } from '../cassandra/backup-support.js';
import { changedObjects, downloadedTree, keepSnapshotCopy, md5Tree, taggedKeys } from '../support/backup-chain.js';
import { runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';

const KS = 'medusa_interop_chain';
const scratch = scratchDir('medusa-interop-chain-');
const storeDir = join(scratch.dir, 'store');

describe('Python Medusa 0.31 and medusa-ts alternating on one bucket across an in-place restore', () => {
  let node: NodeDescriptor;
  let ini: string;
  const expected = new Map<string, { files: Map<string, string>; users: number }>();
  const env = { MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') };
  const ours = (...args: string[]): CliResult =>
    runMedusa(['--config-file', ini, '--without-log-timestamp', ...args], { cwd: scratch.dir, env, timeoutMs: 900_000 });
  const python = (...args: string[]): CliResult => {
    const bin = process.env['MEDUSA_PY_BIN'];
    assert.ok(bin && existsSync(bin), 'MEDUSA_PY_BIN is not set: run this group through test/run.ts (environment python-medusa)');
    // Its own TMPDIR: Python Medusa keeps its "backup in progress" marker there, machine-wide by default.
    const tmp = join(scratch.dir, 'pytmp');
    mkdirSync(tmp, { recursive: true });
    const r = spawnSync(bin, ['--config-file', ini, ...args], { cwd: scratch.dir, encoding: 'utf8', timeout: 900_000, env: { ...process.env, TZ: 'UTC', TMPDIR: tmp } });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, lines: r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n') };
  };
  const ok = (r: CliResult, what: string): CliResult => {
    assert.equal(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const users = (): Promise<number> => withCql([node], (c) => countRows(c, KS, 'users'));
  const write = async (count: number, start: number): Promise<void> => {
    await withCql([node], (c) => writeRows(c, KS, 'users', count, start));
    await flush(node, KS);
  };
  /** Runs the backup with `run`, keeping its snapshot's files as the expected content (then clearing it). */
  async function backup(run: (...args: string[]) => CliResult, who: string, name: string, mode: 'full' | 'differential'): Promise<CliResult> {
    const r = ok(run('backup', '--backup-name', name, '--mode', mode, '--keep-snapshot'), `${who} backup ${name}`);
    expected.set(name, { files: keepSnapshotCopy(node, KS, `medusa-${name}`, join(scratch.dir, 'expected', name)), users: await users() });
    spawnSync(node.bin.nodetool, ['clearsnapshot', '-t', `medusa-${name}`], { encoding: 'utf8', timeout: 300_000 });
    return r;
  }

  before(async () => {
    node = testNode();
    ini = writeLocalIni(scratch.dir, {
      basePath: storeDir, bucket: 'bucket', fqdn: node.host,
      extra: [
        'concurrent_transfers = 2', '', '[cassandra]', `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${node.bin.nodetool}`,
        `start_cmd = ${node.bin.start}`, `stop_cmd = ${node.bin.stop}`, 'resolve_ip_addresses = False',
      ].join('\n'),
    });
    await withCql([node], async (c) => {
      await createKeyspace(c, KS);
      await createTable(c, KS, 'users', { secondaryIndex: true });
      // No compaction: generations stay as flushed, so the restore makes Cassandra reuse names.
      await c.execute(`ALTER TABLE ${KS}.users WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'enabled': 'false'}`);
    });
  });
  after(() => scratch.cleanup());

  test('ours never overwrites what a Python backup references; Python restores our tagged keys', async () => {
    await write(300, 0);
    await backup(python, 'python', 'b1', 'full');
    await write(100, 300);
    await backup(ours, 'ours', 'b2', 'differential');
    await write(100, 400);
    await backup(python, 'python', 'b3', 'differential');

    ok(ours('restore-node', '--backup-name', 'b1', '--in-place'), 'ours restore b1');
    await waitNodeReady(node);
    assert.equal(await users(), expected.get('b1')!.users);

    await write(150, 1000);
    const before4 = md5Tree(join(storeDir, 'bucket'));
    const b4 = await backup(ours, 'ours', 'b4', 'differential');
    assert.deepEqual(changedObjects(before4, md5Tree(join(storeDir, 'bucket'))), [], 'ours changed no stored object');
    assert.match(b4.stderr, /- \d+ files copied from host \(\d+ new, [1-9]\d* reuploaded\)/, `b4 met names stored with other content:\n${b4.stderr}`);
    const tagged = taggedKeys(md5Tree(join(storeDir, 'bucket')), node.host);
    assert.ok(tagged.some((k) => /\/\.users_category_idx\/[^/]+$/.test(k)), `index components keep their .<index> parent: ${tagged.join(', ')}`);

    const list = ok(python('list-backups'), 'python list-backups');
    assert.deepEqual(list.lines.map((l) => l.split(' ')[0]), ['b1', 'b2', 'b3', 'b4']);
    const verify = ok(python('verify', '--backup-name', 'b4', '--enable-md5-checks'), 'python verify b4');
    assert.match(verify.stdout, /- Manifest validated: OK!!/);
    const all = ok(ours('verify', '--all', '--enable-md5-checks'), 'ours verify --all');
    assert.match(all.lines.at(-1) ?? '', /^All 4 complete backups validated$/, all.stdout);

    const dest = join(scratch.dir, 'download-b4');
    mkdirSync(dest, { recursive: true });
    ok(python('download', '--backup-name', 'b4', '--download-destination', dest), 'python download b4');
    assert.deepEqual(downloadedTree(dest, KS), expected.get('b4')!.files, 'Python downloads b4 to exactly its snapshot');

    ok(python('restore-node', '--backup-name', 'b4', '--in-place', '--temp-dir', join(scratch.dir, 'py-restore')), 'python restore b4');
    await waitNodeReady(node);
    assert.equal(await users(), expected.get('b4')!.users);
    const byCategory = await withCql([node], async (c) => (await c.execute(`SELECT id FROM ${KS}.users WHERE category = 'cat-3'`)).rowLength);
    assert.equal(byCategory, expected.get('b4')!.users / 10);
  });
});
