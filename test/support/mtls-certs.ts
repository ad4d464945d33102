/**
 * Throwaway certificates for mutual-TLS tests, made with openssl (installed through apt-get when
 * missing) in a scratch folder: a CA, a server certificate it signed (localhost, 127.0.0.1, ::1),
 * a client certificate it signed, and a client certificate signed by another CA (which the server
 * must refuse). EC P-256 keys, valid two days. Test-only: the keys are not protected.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from '../environments/object-stores/install.js';

/** Paths of the PEM files. */
export interface MtlsFiles {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate of an unrelated CA. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): void {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`]);
}

function signed(dir: string, ca: string, name: string, cn: string, extensions: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** Makes the certificates; `cleanup()` removes them. */
export async function makeMtlsFiles(): Promise<MtlsFiles> {
  await ensureDebianPackages(['openssl'], ['openssl']);
  const dir = mkdtempSync(join(tmpdir(), 'medusa-mtls-'));
  try {
    selfSignedCa(dir, 'ca', 'medusa-test-ca');
    signed(dir, 'ca', 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth');
    signed(dir, 'ca', 'client', 'medusa-operator', 'extendedKeyUsage=clientAuth');
    selfSignedCa(dir, 'other-ca', 'someone-else');
    signed(dir, 'other-ca', 'stranger', 'stranger', 'extendedKeyUsage=clientAuth');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    strangerCert: p('stranger.crt'),
    strangerKey: p('stranger.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
