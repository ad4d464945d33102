/**
 * A throwaway certificate authority for mTLS tests, made with the `openssl` command line
 * (installed through apt-get when missing): a CA, a server certificate for 127.0.0.1 and a client
 * certificate, all signed by that CA, as PEM files in `dir`. Call it twice (two folders) for a CA a
 * peer does not trust.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from '../environments/object-stores/install.js';

/** One key pair: file paths. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly ca: PemPair;
  readonly server: PemPair;
  readonly client: PemPair;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, subject: string, ca: PemPair, extensions: string): PemPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.key, '-out', csr, '-subj', subject]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', pair.cert, '-days', '2', '-extfile', ext]);
  return pair;
}

/** Makes the CA and its two certificates under `dir` (created if needed). */
export async function makeTestPki(dir: string, label = 'medusa-test'): Promise<TestPki> {
  await ensureDebianPackages(['openssl'], ['openssl']);
  mkdirSync(dir, { recursive: true });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca.key, '-out', ca.cert, '-days', '2', '-subj', `/CN=${label} CA`]);
  const server = issue(dir, 'server', '/CN=127.0.0.1', ca, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const client = issue(dir, 'client', `/CN=${label} client`, ca, 'extendedKeyUsage=clientAuth\n');
  return { ca, server, client };
}
