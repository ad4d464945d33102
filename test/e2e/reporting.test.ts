/**
 * The read-only reporting commands, run as child processes on buckets written straight from the
 * layout spec (test/support/fixture-bucket.ts, which does not use our writer).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS, type FixtureScenario } from '../support/fixture-scenarios.js';
import { runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';

const scratch = scratchDir();
after(() => scratch.cleanup());

function scenario(name: string): FixtureScenario {
  const s = FIXTURE_SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no fixture scenario ${name}`);
  return s;
}

/** Writes the scenario's bucket and returns a runner bound to its medusa.ini. */
function bucketFor(name: string): (...args: string[]) => CliResult {
  const s = scenario(name);
  const dir = join(scratch.dir, name);
  writeFixtureBucket(dir, 'bucket', s.bucket);
  const ini = writeLocalIni(dir, { basePath: dir, bucket: 'bucket', fqdn: s.localFqdn, ...(s.bucket.prefix ? { prefix: s.bucket.prefix } : {}) });
  return (...args) => runMedusa(['--config-file', ini, ...args], { cwd: dir });
}

describe('list-backups', () => {
  let medusa: (...args: string[]) => CliResult;
  before(() => (medusa = bucketFor('incomplete')));
  test('text lists backups oldest first with the incomplete hint', () => {
    const r = medusa('list-backups');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.lines[0] ?? '', /^good \(started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, finished: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/);
    assert.deepEqual(r.lines.slice(1), [
      'broken (started: 2024-04-02 23:59:30, finished: Incomplete [2 of 3 nodes finished])',
      '',
      'Incomplete backups found. You can run "medusa status --backup-name <name>" for more details',
    ]);
  });
  test('json carries Medusa keys, sorted', () => {
    const r = medusa('list-backups', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const docs = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const goodFinished = Math.max(...scenario('incomplete').bucket.nodeBackups.filter((nb) => nb.name === 'good').map((nb) => nb.finished ?? 0));
    assert.deepEqual(docs.map((d) => [d['name'], d['completed_nodes'], d['incomplete_nodes'], d['finished']]), [
      ['good', 3, 0, goodFinished],
      ['broken', 2, 1, null],
    ]);
    assert.deepEqual(Object.keys(docs[0]!), [
      'backup_type', 'completed_nodes', 'finished', 'incomplete_nodes', 'incomplete_nodes_list',
      'missing_nodes', 'missing_nodes_list', 'name', 'nodes', 'num_objects', 'size', 'started',
    ]);
  });
});

describe('whole-segment matching', () => {
  test('backups of 127.0.0.1 do not include those of 127.0.0.10 or .101', () => {
    const medusa = bucketFor('prefix-names');
    const all = medusa('list-backups', '--show-all');
    const mine = medusa('list-backups');
    assert.equal(mine.status, 0, mine.stderr);
    assert.ok(mine.lines.length < all.lines.length, `expected a strict subset:\n${mine.stdout}\nvs\n${all.stdout}`);
  });
});

describe('status', () => {
  test('missing node is listed', () => {
    const medusa = bucketFor('missing-node');
    const name = scenario('missing-node').bucket.nodeBackups[0]!.name;
    const r = medusa('status', '--backup-name', name);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.lines[0], `${name} [Incomplete!]`);
    assert.ok(r.lines.includes('- Missing nodes:'), r.stdout);
  });
  test('an unknown backup: one error line, exit 1, `{}` for json', () => {
    const medusa = bucketFor('complete-3-nodes');
    const text = medusa('status', '--backup-name', 'nope');
    assert.equal(text.status, 1);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /ERROR: No such backup: nope\n$/);
    assert.equal(text.stderr.trim().split('\n').length, 1);
    const json = medusa('status', '-o', 'json', '--backup-name', 'nope');
    assert.equal(json.status, 1);
    assert.equal(json.stdout, '{}\n');
  });
  test('a finished node whose manifest is gone is reported incomplete, not complete', () => {
    const medusa = bucketFor('missing-meta-manifest');
    const r = medusa('status', '--backup-name', 'nomanifest');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.lines[0], 'nomanifest [Incomplete!]');
    assert.match(r.stderr, /manifest m2\.example\.com\/nomanifest\/meta\/manifest\.json is missing/);
  });
});

describe('verify', () => {
  test('a good backup verifies, with and without md5 checks', () => {
    const medusa = bucketFor('complete-3-nodes');
    const name = scenario('complete-3-nodes').bucket.nodeBackups[0]!.name;
    for (const extra of [[], ['--enable-md5-checks']]) {
      const r = medusa('verify', '--backup-name', name, ...extra);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.lines, [`Validating ${name} ...`, '- Completion: OK!', '- Manifest validated: OK!!']);
    }
  });
  test('a missing SSTable fails verification', () => {
    const medusa = bucketFor('missing-sstable');
    const name = scenario('missing-sstable').bucket.nodeBackups[0]!.name;
    const r = medusa('verify', '--backup-name', name);
    assert.equal(r.status, 1);
    assert.equal(r.lines[2], '- Manifest validation: Failed!');
    assert.match(r.lines[3] ?? '', /^ {2}- \[.+\] Doesn't exists$/);
  });
  test('a same-size corruption is caught with md5 checks on local storage', () => {
    const medusa = bucketFor('corrupt-sstable');
    const name = scenario('corrupt-sstable').bucket.nodeBackups[0]!.name;
    assert.equal(medusa('verify', '--backup-name', name).status, 0, 'sizes alone cannot see it');
    const r = medusa('verify', '--enable-md5-checks', '--backup-name', name);
    assert.equal(r.status, 1);
    assert.ok(r.lines.some((l) => l.endsWith('Blob different')), r.stdout);
  });
  test('verify --all checks every backup: a damaged one is named with its object, exit 1; an incomplete one is shown, not failed', () => {
    const corrupt = bucketFor('corrupt-sstable');
    const name = scenario('corrupt-sstable').bucket.nodeBackups[0]!.name;
    const r = corrupt('verify', '--all', '--enable-md5-checks');
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.lines.includes(`Validating ${name} ...`), r.stdout);
    assert.ok(r.lines.some((l) => l.endsWith('Blob different')), r.stdout);
    assert.match(r.lines.at(-1) ?? '', new RegExp(`^1 of \\d+ backups failed validation: ${name}`));
    const good = bucketFor('complete-3-nodes')('verify', '--all', '--enable-md5-checks');
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.lines.at(-1) ?? '', /^All \d+ complete backups validated$/);
    const incomplete = bucketFor('incomplete')('verify', '--all');
    assert.ok(incomplete.lines.includes('- Completion: Not complete!'), incomplete.stdout);
    assert.match(incomplete.lines.at(-1) ?? '', /incomplete, not verified: .*broken/);
  });
  test('verify needs exactly one of --backup-name and --all (exit 2)', () => {
    const medusa = bucketFor('complete-3-nodes');
    assert.equal(medusa('verify').status, 2);
    assert.equal(medusa('verify', '--all', '--backup-name', 'x').status, 2);
  });
  test('an incomplete backup fails', () => {
    const medusa = bucketFor('incomplete');
    const r = medusa('verify', '--backup-name', 'broken');
    assert.equal(r.status, 1);
    assert.deepEqual(r.lines.slice(0, 3), ['Validating broken ...', '- Completion: Not complete!', '  - [node2.example.com] Backup started at 1712102375, but not finished yet']);
  });
});

describe('fetch-tokenmap and get-last-complete-cluster-backup', () => {
  test('tokens print losslessly', () => {
    const medusa = bucketFor('complete-3-nodes');
    const name = scenario('complete-3-nodes').bucket.nodeBackups[0]!.name;
    const r = medusa('fetch-tokenmap', '--backup-name', name);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('-9223372036854775808'), r.stdout);
  });
  test('a backup whose manifest vanished is not offered as the latest complete one', () => {
    const r = bucketFor('missing-meta-manifest')('get-last-complete-cluster-backup');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, ['Could not find any full backup for the cluster']);
    assert.match(r.stderr, /manifest m2\.example\.com\/nomanifest\/meta\/manifest\.json is missing/);
  });
  test('the latest complete backup, and the message on an empty bucket', () => {
    assert.deepEqual(bucketFor('incomplete')('get-last-complete-cluster-backup').lines, ['good']);
    const empty = bucketFor('empty')('get-last-complete-cluster-backup');
    assert.equal(empty.status, 0);
    assert.deepEqual(empty.lines, ['Could not find any full backup for the cluster']);
  });
});

describe('report-last-backup and build-index', () => {
  test('metrics are appended to metrics.json with --push-metrics', () => {
    const dir = join(scratch.dir, 'report');
    writeFixtureBucket(dir, 'bucket', scenario('complete-3-nodes').bucket);
    const ini = writeLocalIni(dir, { basePath: dir, bucket: 'bucket', fqdn: scenario('complete-3-nodes').localFqdn, extra: '[monitoring]\nmonitoring_provider = local' });
    const r = runMedusa(['--config-file', ini, 'report-last-backup', '--push-metrics'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /INFO: Latest node backup finished \d+ seconds ago/);
    const metrics = readFileSync(join(dir, 'metrics.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; tags: string[] });
    assert.deepEqual(metrics.map((m) => m.seq), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(metrics[0]!.tags.slice(0, 2), ['medusa-node-backup', 'seconds-since-backup']);
  });
  test('build-index rebuilds a deleted index, differential markers included', async () => {
    const { rmSync } = await import('node:fs');
    const medusa = bucketFor('history');
    const before = medusa('list-backups', '--output', 'json', '--show-all');
    rmSync(join(scratch.dir, 'history', 'bucket', 'index'), { recursive: true, force: true });
    assert.deepEqual(medusa('list-backups', '--show-all').lines, []);
    assert.equal(medusa('build-index', '--noop').status, 0);
    assert.deepEqual(medusa('list-backups', '--show-all').lines, [], '--noop writes nothing');
    const r = medusa('build-index');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(medusa('list-backups', '--output', 'json', '--show-all').stdout, before.stdout);
  });
});
