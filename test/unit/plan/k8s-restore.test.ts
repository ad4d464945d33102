/**
 * What the Kubernetes restore init container decides from its environment and `.last-restore`
 * (plan/k8s-restore.ts): Medusa's rules, and one clear line for every malformed RESTORE_MAPPING.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideInitRestore, parseRestoreMapping, RestoreMappingError, type InitRestoreDecision, type InitRestoreEnv } from '../../../src/plan/k8s-restore.js';

const base = { BACKUP_NAME: 'b1', RESTORE_KEY: 'k-1' };
const remote = JSON.stringify({
  in_place: false,
  host_map: {
    'demo-dc1-rack1-sts-0': { source: ['node1'], seed: false },
    'demo-dc1-rack2-sts-0': { source: ['node2'], seed: false },
  },
});

describe('init restore decision', () => {
  const cases: Array<[string, InitRestoreEnv, string | undefined, InitRestoreDecision]> = [
    ['no BACKUP_NAME: nothing', { RESTORE_KEY: 'k-1' }, undefined, { kind: 'nothing', reason: 'BACKUP_NAME or RESTORE_KEY is not set: no restore was asked for' }],
    ['no RESTORE_KEY: nothing', { BACKUP_NAME: 'b1' }, undefined, { kind: 'nothing', reason: 'BACKUP_NAME or RESTORE_KEY is not set: no restore was asked for' }],
    ['empty values count as unset', { BACKUP_NAME: '', RESTORE_KEY: '' }, undefined, { kind: 'nothing', reason: 'BACKUP_NAME or RESTORE_KEY is not set: no restore was asked for' }],
    ['.last-restore holds the key: nothing', base, 'k-1', { kind: 'nothing', reason: 'restore k-1 was already done (.last-restore holds its key)' }],
    ['.last-restore holds another key: restore', base, 'k-0', { kind: 'restore', backupName: 'b1', restoreKey: 'k-1', inPlace: true }],
    ['no mapping: in place', base, undefined, { kind: 'restore', backupName: 'b1', restoreKey: 'k-1', inPlace: true }],
    ['in_place true: in place, POD_NAME not needed', { ...base, RESTORE_MAPPING: '{"in_place": true, "host_map": {"p": {"source": ["p"], "seed": false}}}' }, undefined, { kind: 'restore', backupName: 'b1', restoreKey: 'k-1', inPlace: true }],
    ['in_place false: the pod\'s source', { ...base, RESTORE_MAPPING: remote, POD_NAME: 'demo-dc1-rack2-sts-0' }, undefined, { kind: 'restore', backupName: 'b1', restoreKey: 'k-1', inPlace: false, sourceFqdn: 'node2' }],
    ['in_place false, pod not in the map: nothing (Medusa)', { ...base, RESTORE_MAPPING: remote, POD_NAME: 'demo-dc1-rack3-sts-0' }, undefined, { kind: 'nothing', reason: 'POD_NAME demo-dc1-rack3-sts-0 is not in RESTORE_MAPPING\'s host_map: this pod has nothing to restore', recordKey: 'k-1' }],
    ['already done wins over a malformed mapping', { ...base, RESTORE_MAPPING: '{' }, 'k-1', { kind: 'nothing', reason: 'restore k-1 was already done (.last-restore holds its key)' }],
  ];
  for (const [name, env, last, expected] of cases) {
    test(name, () => assert.deepEqual(decideInitRestore(env, last), expected));
  }
});

describe('malformed RESTORE_MAPPING: one line naming the problem', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{in_place: false', /^RESTORE_MAPPING is not JSON \(/],
    ['not an object', '[1]', /^RESTORE_MAPPING must be a JSON object/],
    ['in_place missing', '{"host_map": {}}', /^RESTORE_MAPPING: in_place must be true or false, got nothing$/],
    ['in_place a string', '{"in_place": "false", "host_map": {}}', /^RESTORE_MAPPING: in_place must be true or false, got "false"$/],
    ['host_map a list', '{"in_place": false, "host_map": []}', /^RESTORE_MAPPING: host_map must be an object keyed by pod name$/],
    ['source missing', '{"in_place": false, "host_map": {"p0": {"seed": false}}}', /^RESTORE_MAPPING: host_map\.p0\.source must be a non-empty list of host names$/],
    ['source empty', '{"in_place": false, "host_map": {"p0": {"source": []}}}', /source must be a non-empty list/],
    ['source not strings', '{"in_place": false, "host_map": {"p0": {"source": [3]}}}', /source must be a non-empty list/],
    ['source escaping a folder', '{"in_place": false, "host_map": {"p0": {"source": ["../x"]}}}', /^RESTORE_MAPPING: host_map\.p0\.source\[0\] "\.\.\/x" may not contain "\/"$/],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      assert.throws(() => decideInitRestore({ ...base, RESTORE_MAPPING: text, POD_NAME: 'p0' }, undefined), (e: unknown) => e instanceof RestoreMappingError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
  test('in_place false without POD_NAME', () => {
    assert.throws(() => decideInitRestore({ ...base, RESTORE_MAPPING: remote }, undefined), { message: 'RESTORE_MAPPING restores from other hosts (in_place false) but POD_NAME is not set: which pod is this?' });
  });
  test('the operator\'s mapping parses with its seeds', () => {
    const m = parseRestoreMapping(JSON.stringify({ in_place: false, host_map: { a: { source: ['x', 'y'], seed: true } } }));
    assert.deepEqual([...m.hostMap], [['a', { source: ['x', 'y'], seed: true }]]);
  });
});
