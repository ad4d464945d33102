/**
 * `--output json` of the commands that report (README "JSON output"), run as child processes on
 * buckets written straight from the layout spec: one JSON document on stdout, the exit code the
 * text output has, and the text output itself left as it was (the same runs without the flag).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS, type FixtureScenario } from '../support/fixture-scenarios.js';
import { runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';

const scratch = scratchDir('medusa-json-');
after(() => scratch.cleanup());

function scenario(name: string): FixtureScenario {
  const s = FIXTURE_SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no fixture scenario ${name}`);
  return s;
}

let cases = 0;
function bucketFor(name: string): { medusa: (...args: string[]) => CliResult; dir: string } {
  const s = scenario(name);
  const dir = join(scratch.dir, `${name}-${++cases}`);
  writeFixtureBucket(dir, 'bucket', s.bucket);
  const ini = writeLocalIni(dir, { basePath: dir, bucket: 'bucket', fqdn: s.localFqdn, ...(s.bucket.prefix ? { prefix: s.bucket.prefix } : {}) });
  return { dir, medusa: (...args) => runMedusa(['--config-file', ini, ...args], { cwd: dir }) };
}

/** The one JSON document of stdout (it must be exactly one line). */
function doc(r: CliResult): Record<string, unknown> {
  assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 1, `one line on stdout: ${r.stdout}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const firstName = (s: string): string => scenario(s).bucket.nodeBackups[0]!.name;

describe('verify --output json', () => {
  test('a good backup: status ok, exit 0; the text output is unchanged', () => {
    const { medusa } = bucketFor('complete-3-nodes');
    const name = firstName('complete-3-nodes');
    const r = medusa('verify', '--backup-name', name, '--enable-md5-checks', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(doc(r), { backupName: name, status: 'ok', complete: true, incompleteNodes: [], missingNodes: [], problems: [] });
    assert.deepEqual(medusa('verify', '--backup-name', name).lines, [`Validating ${name} ...`, '- Completion: OK!', '- Manifest validated: OK!!']);
  });

  test('a corrupt object: status failed with the object, exit 1; an incomplete backup: its nodes', () => {
    const name = firstName('corrupt-sstable');
    const r = bucketFor('corrupt-sstable').medusa('verify', '--backup-name', name, '--enable-md5-checks', '--output', 'json');
    assert.equal(r.status, 1);
    const d = doc(r);
    assert.equal(d['status'], 'failed');
    const problems = d['problems'] as Array<{ kind: string; path: string; reason: string | null }>;
    const different = problems.filter((p) => p.kind === 'different');
    assert.ok(different.length >= 1, JSON.stringify(problems));
    assert.ok(different.every((p) => typeof p.reason === 'string' && p.path !== ''));
    // The same objects the text output names.
    const text = bucketFor('corrupt-sstable').medusa('verify', '--backup-name', name, '--enable-md5-checks');
    assert.deepEqual(text.lines.filter((l) => l.endsWith('Blob different')), different.map((p) => `  - [${p.path}] Blob different`));
    const inc = bucketFor('incomplete').medusa('verify', '--backup-name', 'broken', '--output', 'json');
    assert.equal(inc.status, 1);
    assert.deepEqual(doc(inc)['incompleteNodes'], [{ fqdn: 'node2.example.com', started: 1712102375 }]);
    assert.equal(doc(inc)['status'], 'incomplete');
  });

  test('--all: every backup, the failed and incomplete names, ok; exit as the text output', () => {
    const r = bucketFor('corrupt-sstable').medusa('verify', '--all', '--enable-md5-checks', '--output', 'json');
    assert.equal(r.status, 1, r.stderr);
    const d = doc(r);
    assert.equal(d['ok'], false);
    assert.deepEqual(d['failed'], [firstName('corrupt-sstable')]);
    const inc = bucketFor('incomplete').medusa('verify', '--all', '--output', 'json');
    assert.equal(inc.status, 0, inc.stderr);
    const di = doc(inc);
    assert.equal(di['ok'], true);
    assert.deepEqual(di['incomplete'], ['broken']);
    assert.deepEqual((di['backups'] as Array<{ backupName: string }>).map((b) => b.backupName).sort(), ['broken', 'good']);
  });
});

describe('fetch-tokenmap, get-last-complete-cluster-backup, report-last-backup --output json', () => {
  test('fetch-tokenmap: the tokenmap document, tokens exact', () => {
    const { medusa } = bucketFor('complete-3-nodes');
    const r = medusa('fetch-tokenmap', '--backup-name', firstName('complete-3-nodes'), '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /[[ ]-9223372036854775808[,\]]/, 'the token as a JSON integer, not rounded');
    assert.match(r.stdout, / 9223372036854775807[,\]]/);
    const d = doc(r) as Record<string, { tokens: number[]; is_up: boolean }>;
    assert.deepEqual(Object.keys(d), Object.keys(scenario('complete-3-nodes').bucket.nodeBackups[0]!.tokenmap));
    assert.equal(typeof Object.values(d)[0]!.is_up, 'boolean');
  });

  test('get-last-complete-cluster-backup: the backup, or nulls on an empty bucket', () => {
    const r = bucketFor('incomplete').medusa('get-last-complete-cluster-backup', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const d = doc(r);
    assert.equal(d['backupName'], 'good');
    assert.equal(typeof d['finished'], 'number');
    assert.equal((d['nodes'] as string[]).length, 3);
    const empty = bucketFor('empty').medusa('get-last-complete-cluster-backup', '--output', 'json');
    assert.deepEqual(doc(empty), { backupName: null, backupType: null, started: null, finished: null, nodes: null });
  });

  test('report-last-backup: node, latest complete and latest backups; the log lines stay on stderr', () => {
    const r = bucketFor('incomplete').medusa('report-last-backup', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const d = doc(r) as { node: unknown; latestComplete: { backupName: string; secondsAgo: number }; latest: { backupName: string; complete: boolean; incompleteNodes: string[] } };
    assert.equal(d.latestComplete.backupName, 'good');
    assert.ok(d.latestComplete.secondsAgo > 0);
    assert.equal(d.latest.backupName, 'broken');
    assert.equal(d.latest.complete, false);
    assert.deepEqual(d.latest.incompleteNodes, ['node2.example.com']);
    assert.ok('node' in d);
    assert.match(r.stderr, /Latest complete backup/);
    const text = bucketFor('incomplete').medusa('report-last-backup');
    assert.equal(text.stdout, '', 'the text output is log lines only, as before');
  });
});

describe('download --output json', () => {
  test('the files fetched and kept; a rerun keeps them all', () => {
    const { medusa, dir } = bucketFor('complete-3-nodes');
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const name = firstName('complete-3-nodes');
    const first = doc(medusa('download', '--backup-name', name, '--download-destination', dest, '--output', 'json'));
    assert.equal(first['backupName'], name);
    assert.ok((first['downloadedFiles'] as number) > 0);
    assert.equal(first['keptFiles'], 0);
    const again = doc(medusa('download', '--backup-name', name, '--download-destination', dest, '--output', 'json'));
    assert.equal(again['downloadedFiles'], 0);
    assert.equal(again['keptFiles'], first['downloadedFiles']);
    assert.equal(again['keptBytes'], first['downloadedBytes']);
  });
});
