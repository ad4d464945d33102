/**
 * The test helper that builds RESTORE_MAPPING as k8ssandra-operator's MedusaRestoreJob does
 * (test/cluster/k8s-support.ts, after pkg/medusa/hostmap.go): the cluster tests rely on it being
 * the operator's rule, so it is held to that rule here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operatorRestoreMapping } from '../cluster/k8s-support.js';

const nodes = [
  { host: 'c-dc1-r2-sts-0', datacenter: 'dc1', rack: 'r2' },
  { host: 'c-dc1-r1-sts-1', datacenter: 'dc1', rack: 'r1' },
  { host: 'c-dc1-r1-sts-0', datacenter: 'dc1', rack: 'r1' },
  { host: 'c-dc2-r1-sts-0', datacenter: 'dc2', rack: 'r1' },
];

test('same pods: in place, every source onto itself once the order within a rack matches', () => {
  const m = JSON.parse(operatorRestoreMapping(nodes, 'dc1', new Map([['r1', ['c-dc1-r1-sts-1', 'c-dc1-r1-sts-0']], ['r2', ['c-dc1-r2-sts-0']]]))) as unknown;
  assert.deepEqual(m, {
    in_place: true,
    host_map: {
      'c-dc1-r1-sts-1': { source: ['c-dc1-r1-sts-1'], seed: false },
      'c-dc1-r1-sts-0': { source: ['c-dc1-r1-sts-0'], seed: false },
      'c-dc1-r2-sts-0': { source: ['c-dc1-r2-sts-0'], seed: false },
    },
  });
});

test('other pods: racks paired in name order, nodes in GetBackups order, other datacenters left out', () => {
  const m = JSON.parse(operatorRestoreMapping(nodes, 'dc1', new Map([['b', ['n-b-0']], ['a', ['n-a-0', 'n-a-1']]]))) as { in_place: boolean; host_map: Record<string, { source: string[] }> };
  assert.equal(m.in_place, false);
  assert.deepEqual(Object.fromEntries(Object.entries(m.host_map).map(([k, v]) => [k, v.source[0]])), { 'n-a-0': 'c-dc1-r1-sts-1', 'n-a-1': 'c-dc1-r1-sts-0', 'n-b-0': 'c-dc1-r2-sts-0' });
});

test('rack counts that differ, or a rack too small, are refused as the operator refuses them', () => {
  assert.throws(() => operatorRestoreMapping(nodes, 'dc1', new Map([['r1', ['a', 'b', 'c']]])), /number of racks in source != racks in destination/);
  assert.throws(() => operatorRestoreMapping(nodes, 'dc1', new Map([['r1', ['a']], ['r2', ['b']]])), /bigger than target rack/);
});
