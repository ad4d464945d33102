/**
 * azurite (Microsoft's Azure Blob emulator, the pinned npm devDependency) on a free port of
 * 127.0.0.1 (or of another local address, e.g. a harness cluster's bridge gateway so its hosts
 * reach it). Shared Key authentication is enforced, so a wrong key fails as on Azure.
 * Blobs are reached path-style: http://127.0.0.1:PORT/devstoreaccount1/<container>/<blob>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { repoRoot } from './install.js';
import { freePort, httpResponds, startDaemon, stopDaemon, waitUntil, type Daemon } from './processes.js';

/** The emulator's fixed development account (documented, public; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running azurite and the coordinates to reach it. */
export interface AzuriteServer {
  readonly host: string;
  readonly port: number;
  /** Account URL: http://HOST:PORT/devstoreaccount1 */
  readonly endpoint: string;
  readonly account: string;
  readonly key: string;
  createContainer(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts azurite-blob listening on `host` (default 127.0.0.1) with its data in a fresh temporary
 * folder; stops it again if it does not get ready.
 */
export async function startAzurite(host = '127.0.0.1'): Promise<AzuriteServer> {
  const dir = mkdtempSync(join(tmpdir(), 'medusa-azurite-'));
  const port = await freePort();
  const bin = join(repoRoot, 'node_modules', '.bin', 'azurite-blob');
  let daemon: Daemon | undefined;
  const stop = async (): Promise<void> => {
    await stopDaemon(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  const endpoint = `http://${host}:${port}/${AZURITE_ACCOUNT}`;
  try {
    const args = ['--blobHost', host, '--blobPort', String(port), '--location', dir, '--silent', '--disableTelemetry', '--skipApiVersionCheck'];
    daemon = startDaemon('azurite', bin, args, join(dir, 'azurite.log'));
    // Any HTTP answer (403 for an unsigned listing) means the server accepts requests.
    await waitUntil(`azurite on port ${port}`, () => httpResponds(`${endpoint}?comp=list`), 60_000, daemon);
  } catch (err) {
    await stop();
    throw err;
  }
  const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  return {
    host,
    port,
    endpoint,
    account: AZURITE_ACCOUNT,
    key: AZURITE_KEY,
    createContainer: async (name) => {
      await service.getContainerClient(name).create();
    },
    stop,
  };
}
