/** The --output json documents built from operation results (render/summary-json.ts): keys, nulls, units. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupClusterJson, backupJson, restoreClusterJson } from '../../../src/cli/render/summary-json.js';

test('backup: times in Unix seconds, files and bytes split into uploaded and reused', () => {
  const doc = backupJson({
    name: 'b1', differential: true, started: 1_700_000_000_900, extractStarted: 1_700_000_010_000, finished: 1_700_000_070_500,
    uploaded: 3, replaced: 1, kept: 7, totalSize: 10_000, uploadedBytes: 3000, keptBytes: 7000,
  });
  assert.deepEqual(doc, {
    backupName: 'b1', mode: 'differential', started: 1_700_000_000, extractStarted: 1_700_000_010, finished: 1_700_000_070,
    durationSeconds: 60.5, files: 10, bytes: 10_000, uploadedFiles: 3, uploadedBytes: 3000, reuploadedFiles: 1, reusedFiles: 7, reusedBytes: 7000,
  });
});

test('backup-cluster: the name, hosts, seconds and job folder', () => {
  assert.deepEqual(backupClusterJson({ backupName: 'c1', hosts: ['n2', 'n1'], seconds: 12.5, jobDir: '/tmp/medusa-job-x' }),
    { backupName: 'c1', hosts: ['n2', 'n1'], seconds: 12.5, jobDir: '/tmp/medusa-job-x' });
});

test('restore-cluster: the mapping, restored, failed (why, where the log is) and not attempted hosts; ok only when all are restored', () => {
  const mapping = { inPlace: false, useSstableloader: false, hosts: new Map([['t1', { sources: ['n1'], seed: true }], ['t2', { sources: ['n2'], seed: false }]]) };
  const failed = [{ host: 't1', step: 'restore', ok: false, exitCode: 1, failure: { kind: 'exit' as const, message: 'exit code 1' }, logDir: '/j/t1/restore', stderrTail: 'boom' }];
  const doc = restoreClusterJson('b1', { mapping, restored: [], failed, notAttempted: ['t2'], jobDir: '/j' });
  assert.deepEqual(doc, {
    backupName: 'b1', ok: false, inPlace: false, useSstableloader: false,
    mapping: [{ target: 't1', sources: ['n1'], seed: true }, { target: 't2', sources: ['n2'], seed: false }],
    restored: [], failed: [{ host: 't1', step: 'restore', exitCode: 1, reason: 'exit: exit code 1', stderrTail: 'boom', logDir: '/j/t1/restore' }],
    notAttempted: ['t2'], jobDir: '/j',
  });
  assert.equal(restoreClusterJson('b1', { mapping, restored: ['t1', 't2'], failed: [], notAttempted: [], jobDir: '/j' })['ok'], true);
});
