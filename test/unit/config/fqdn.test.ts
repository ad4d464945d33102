import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeLocalFqdn } from '../../../src/config/fqdn.js';
import type { HostResolver } from '../../../src/config/fqdn.js';

function resolver(overrides: Partial<HostResolver> = {}): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    hostname: () => 'cass1',
    lookup: (name) => {
      calls.push(`lookup ${name}`);
      return Promise.resolve('10.0.0.5');
    },
    reverse: (ip) => {
      calls.push(`reverse ${ip}`);
      return Promise.resolve('cass1.dc1.example.com');
    },
    ptr: (ip) => {
      calls.push(`ptr ${ip}`);
      return Promise.resolve(['10-0-0-5.cassandra.svc.cluster.local.', 'demo-dc1-default-sts-0.demo-dc1-all-pods-service.ns.svc.cluster.local.']);
    },
    ...overrides,
  };
}

test('fqdn: host name → IP → reverse name', async () => {
  const r = resolver();
  assert.deepEqual(await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: false }, r), { fqdn: 'cass1.dc1.example.com', warnings: [] });
  assert.deepEqual(r.calls, ['lookup cass1', 'reverse 10.0.0.5']);
});

test('fqdn: resolve_ip_addresses false → the IP, no reverse lookup', async () => {
  const r = resolver();
  assert.deepEqual(await computeLocalFqdn({ resolveIpAddresses: false, k8sMode: false }, r), { fqdn: '10.0.0.5', warnings: [] });
  assert.deepEqual(r.calls, ['lookup cass1']);
});

test('fqdn: k8s mode → first PTR label that is not an IP in disguise', async () => {
  const r = resolver();
  assert.deepEqual(await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: true }, r), { fqdn: 'demo-dc1-default-sts-0', warnings: [] });
  const onlyIps = resolver({ ptr: () => Promise.resolve(['10-0-0-5.ns.svc.', 'fe80--1.ns.svc.']) });
  assert.equal((await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: true }, onlyIps)).fqdn, '10.0.0.5');
  const failing = resolver({ ptr: () => Promise.reject(new Error('ENOTFOUND')) });
  const res = await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: true }, failing);
  assert.equal(res.fqdn, '10.0.0.5');
  assert.match(res.warnings[0] ?? '', /no PTR record for 10\.0\.0\.5/);
});

test('fqdn: a failed forward lookup falls back to the host name, a failed reverse to the IP, with warnings', async () => {
  const noForward = resolver({ lookup: () => Promise.reject(new Error('getaddrinfo ENOTFOUND cass1')) });
  const a = await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: false }, noForward);
  assert.equal(a.fqdn, 'cass1');
  assert.match(a.warnings[0] ?? '', /cannot resolve host name cass1/);
  const noReverse = resolver({ reverse: () => Promise.reject(new Error('ENOTFOUND')) });
  const b = await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: false }, noReverse);
  assert.equal(b.fqdn, '10.0.0.5');
  assert.match(b.warnings[0] ?? '', /cannot resolve 10\.0\.0\.5 back to a name/);
});

test('fqdn: the system resolver answers for this machine without throwing', async () => {
  const res = await computeLocalFqdn({ resolveIpAddresses: true, k8sMode: false });
  assert.ok(res.fqdn.length > 0);
});
