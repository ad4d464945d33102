import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { checkHostKey, knownHostsName, parseKnownHosts } from '../../../src/remote/known-hosts.js';

const keyA = randomBytes(51);
const keyB = randomBytes(51);
const b64 = (k: Buffer): string => k.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

test('plain entry: the recorded key passes, another key is a mismatch, an unlisted host is unknown', () => {
  const entries = parseKnownHosts(`# comment\n\nnode1,10.0.0.11 ssh-ed25519 ${b64(keyA)} root@node1\n`);
  assert.deepEqual(checkHostKey(entries, '10.0.0.11', 22, keyA, 'kh'), { ok: true });
  assert.deepEqual(checkHostKey(entries, 'node1', 22, keyA, 'kh'), { ok: true });
  const bad = checkHostKey(entries, 'node1', 22, keyB, 'kh');
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.kind, 'host-key-mismatch');
  assert.match(!bad.ok ? bad.message : '', /MISMATCH for node1/);
  const unknown = checkHostKey(entries, 'node2', 22, keyA, 'kh');
  assert.equal(!unknown.ok && unknown.kind, 'unknown-host-key');
});

test('hashed entries and [host]:port names', () => {
  const entries = parseKnownHosts(`${hashed('10.0.0.12')} ssh-ed25519 ${b64(keyA)}\n${hashed('[10.0.0.12]:2222')} ssh-rsa ${b64(keyB)}\n`);
  assert.equal(knownHostsName('h', 2222), '[h]:2222');
  assert.deepEqual(checkHostKey(entries, '10.0.0.12', 22, keyA, 'kh'), { ok: true });
  assert.deepEqual(checkHostKey(entries, '10.0.0.12', 2222, keyB, 'kh'), { ok: true });
  assert.equal(checkHostKey(entries, '10.0.0.12', 2222, keyA, 'kh').ok, false);
  assert.equal(checkHostKey(entries, '10.0.0.13', 22, keyA, 'kh').ok, false);
});

test('wildcards, negation, @revoked, @cert-authority ignored', () => {
  const entries = parseKnownHosts(
    [`*.example,!bad.example ssh-ed25519 ${b64(keyA)}`, `@revoked old.example ssh-ed25519 ${b64(keyB)}`, `@cert-authority *.example ssh-ed25519 ${b64(keyB)}`].join('\n'),
  );
  assert.deepEqual(checkHostKey(entries, 'a.example', 22, keyA, 'kh'), { ok: true });
  assert.equal(checkHostKey(entries, 'bad.example', 22, keyA, 'kh').ok, false);
  const revoked = checkHostKey(entries, 'old.example', 22, keyB, 'kh');
  assert.match(!revoked.ok ? revoked.message : '', /@revoked/);
  // The CA line must not make a host key acceptable.
  assert.equal(checkHostKey(entries, 'c.example', 22, keyB, 'kh').ok, false);
});
