/**
 * azurite with OAuth (bearer tokens) on 127.0.0.1, and a loopback token endpoint that stands in for
 * a managed identity, so `DefaultAzureCredential` can be exercised end to end without leaving the
 * machine.
 *
 * - azurite accepts bearer tokens only over HTTPS (`--oauth basic`): a throwaway self-signed
 *   certificate for 127.0.0.1 is made with openssl (installed through apt-get when missing); a
 *   child process trusts it through NODE_EXTRA_CA_CERTS.
 * - `--oauth basic` checks a token's issuer, audience and lifetime but not its signature, so the
 *   endpoint hands out unsigned JWTs.
 * - The endpoint speaks the App Service managed identity protocol (IDENTITY_ENDPOINT +
 *   IDENTITY_HEADER), one of the sources DefaultAzureCredential tries, and the only one that both
 *   takes a plain local URL and sends no probe elsewhere. A path starting with `/wrong-audience/`
 *   gets a token for another audience (one the store must refuse).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, repoRoot } from '../environments/object-stores/install.js';
import { freePort, startDaemon, stopDaemon, waitUntil, type Daemon } from '../environments/object-stores/processes.js';

/** The emulator's built-in account (public, documented). */
export const OAUTH_ACCOUNT = 'devstoreaccount1';

/** A running OAuth azurite plus its token endpoint. */
export interface AzuriteOAuth {
  readonly host: string;
  readonly port: number;
  /** PEM file of the server certificate (for NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  /** Variables that make DefaultAzureCredential use the loopback endpoint (managed identity). */
  readonly identityEnv: Record<string, string>;
  /** Same, but the endpoint hands out tokens for an audience the store refuses. */
  readonly wrongAudienceEnv: Record<string, string>;
  /** Token requests the endpoint has answered. */
  tokenRequests(): number;
  createContainer(name: string): Promise<void>;
  putBlob(container: string, key: string, body: Buffer): Promise<void>;
  /** Blob names in `container` (first 5,000; enough for test fixtures). */
  listBlobs(container: string): Promise<string[]>;
  stop(): Promise<void>;
}

function jwtPart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT with the claims azurite checks; valid for an hour. */
function fakeToken(audience: string): { token: string; expiresOn: number } {
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: audience, iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/', iat: now - 60, nbf: now - 60, exp: now + 3600 };
  return { token: `${jwtPart({ alg: 'none', typ: 'JWT' })}.${jwtPart(claims)}.`, expiresOn: now + 3600 };
}

/** Starts the App Service-style token endpoint on a free loopback port. */
async function startTokenEndpoint(header: string): Promise<{ server: Server; port: number; count: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers['x-identity-header'] !== header || url.searchParams.get('resource') === null) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_request', error_description: 'bad identity request' }));
      return;
    }
    count += 1;
    const resource = url.searchParams.get('resource') ?? '';
    const { token, expiresOn } = fakeToken(url.pathname.startsWith('/wrong-audience/') ? 'https://not-storage.example.invalid' : resource);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_on: String(expiresOn), resource, token_type: 'Bearer' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('token endpoint: no address');
  return { server, port: address.port, count: () => count };
}

/** One HTTPS request to azurite with a bearer token; resolves with status and body. */
function call(port: number, ca: Buffer, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${fakeToken('https://storage.azure.com').token}`,
          'x-ms-version': '2021-08-06',
          'content-length': String(body?.length ?? 0),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function expectStatus(what: string, pending: Promise<{ status: number; body: string }>, ok: number): Promise<string> {
  const r = await pending;
  if (r.status !== ok) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  return r.body;
}

/** Starts azurite (HTTPS, OAuth) and the token endpoint; everything is stopped again on failure. */
export async function startAzuriteOAuth(): Promise<AzuriteOAuth> {
  await ensureDebianPackages(['openssl'], ['openssl']);
  const dir = mkdtempSync(join(tmpdir(), 'medusa-azurite-oauth-'));
  const caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const identityHeader = `medusa-test-${process.pid}`;
  let daemon: Daemon | undefined;
  let endpoint: Awaited<ReturnType<typeof startTokenEndpoint>> | undefined;
  const stop = async (): Promise<void> => {
    await stopDaemon(daemon);
    await new Promise<void>((resolve) => (endpoint ? endpoint.server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const ca = readFileSync(caFile);
    endpoint = await startTokenEndpoint(identityHeader);
    const port = await freePort();
    const bin = join(repoRoot, 'node_modules', '.bin', 'azurite-blob');
    const args = ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', join(dir, 'data'), '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--oauth', 'basic', '--cert', caFile, '--key', keyFile];
    daemon = startDaemon('azurite (oauth)', bin, args, join(dir, 'azurite.log'));
    // Any HTTPS answer with our CA (the listing itself is allowed) means it serves requests.
    await waitUntil(`azurite (oauth) on port ${port}`, async () => (await call(port, ca, 'GET', `/${OAUTH_ACCOUNT}?comp=list`)).status > 0, 60_000, daemon);
    const tokenUrl = `http://127.0.0.1:${endpoint.port}`;
    const count = endpoint.count;
    return {
      host: '127.0.0.1',
      port,
      caFile,
      identityEnv: { IDENTITY_ENDPOINT: `${tokenUrl}/msi/token`, IDENTITY_HEADER: identityHeader },
      wrongAudienceEnv: { IDENTITY_ENDPOINT: `${tokenUrl}/wrong-audience/msi/token`, IDENTITY_HEADER: identityHeader },
      tokenRequests: count,
      createContainer: async (name) => {
        await expectStatus(`create container ${name}`, call(port, ca, 'PUT', `/${OAUTH_ACCOUNT}/${name}?restype=container`), 201);
      },
      putBlob: async (container, key, body) => {
        const path = `/${OAUTH_ACCOUNT}/${container}/${key.split('/').map(encodeURIComponent).join('/')}`;
        // The blob's Content-MD5 set as an uploader recording it would (what verify compares).
        const md5 = createHash('md5').update(body).digest('base64');
        await expectStatus(`put ${key}`, call(port, ca, 'PUT', path, body, { 'x-ms-blob-type': 'BlockBlob', 'x-ms-blob-content-md5': md5 }), 201);
      },
      listBlobs: async (container) => {
        const xml = await expectStatus(`list ${container}`, call(port, ca, 'GET', `/${OAUTH_ACCOUNT}/${container}?restype=container&comp=list&maxresults=5000`), 200);
        return [...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1] ?? '');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
