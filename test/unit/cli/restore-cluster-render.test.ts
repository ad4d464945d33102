/** What `restore-cluster` prints and asks, rendered from the operation's typed result and questions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { questionText, summaryLines } from '../../../src/cli/render/restore-cluster.js';

test('summary: restored hosts always; failed and not attempted ones only when there are any', () => {
  assert.deepEqual(summaryLines({ restored: ['n2', 'n1'], failed: [], notAttempted: [] }), ['Restored: n2, n1']);
  assert.deepEqual(
    summaryLines({ restored: [], failed: [{ host: 't1', step: 'restore', ok: false, exitCode: 1, logDir: '/tmp/j/t1', stderrTail: '', failure: { kind: 'exit', message: 'exit code 1' } }], notAttempted: ['t2'] }),
    ['Restored: none', 'Failed: t1', 'Not restored (not attempted): t2'],
  );
});

test("questions keep Medusa's wording", () => {
  assert.equal(questionText('proceed'), 'Are you sure you want to proceed? (Y/n)');
  assert.equal(questionText('keep-auth'), 'Do you want to skip restoring the system_auth keyspace and keep the credentials of the target cluster? (Y/n)');
});
