/**
 * Benchmark: the download comparison of bench/s3-vs-rclone.ts on the other object stores this
 * project is tested on: GCS (fake-gcs-server) and Azure (azurite), each started by the test
 * environment's helper and stopped in every path. Our side uploads the ~2 GB snapshot-like set
 * (uploadFile), then downloads it with the restore's engine (child process, size and hash checks,
 * one sync at the end); rclone copies the same objects (it checks MD5s too), followed by the same
 * sync. Unpinned and pinned (`taskset`: the emulator on CPU 0, the client under test on CPU 1)
 * pairs, with client CPU per GB. Where rclone cannot talk to an emulator, the bench says so and
 * goes on with the next store.
 *
 * Usage: node --import tsx bench/other-stores-vs-rclone.ts [--stores gcs,azure] [--transfers 4] [--rounds 2] [--pinned-rounds 1]
 *
 * Both emulators are single processes written for tests (fake-gcs-server in Go, azurite in
 * Node.js) and much slower than radosgw per byte: their CPU, printed as "store CPU", bounds
 * these figures; the ratios still compare the two clients on the same store in the same run.
 *
 * Measured 2026-12-02 10:00-10:03 UTC (Node 20.20, load 5.3-6.4, one unpinned and one pinned pair):
 * - GCS (fake-gcs-server 1.56.1, in memory): upload 26.10 s (client CPU 8.4 s; the emulator 28.8 s).
 *   Unpinned: rclone 10.65 s then ours 10.08 s, then rclone 8.14 s: the pair's ratio 0.81 (target
 *   >= 1.0 NOT met); client CPU 13.5 s vs 11.4 s: 1.20 (target <= 1.2, at the limit). Pinned: ours
 *   21.75 s vs rclone 11.88 s, 0.55; CPU 19.0 s vs 10.4 s, 1.83 (our helpers 3.0u+6.1s in that run
 *   against 1.1u+3.8s unpinned: one disturbed run, not repeated for lack of time).
 * - Azure (azurite 3.35): rclone 1.60.1 (Debian) cannot download from it: with a container SAS URL
 *   it uploads and lists, but `rclone copy` of the set panics (nil pointer dereference in the
 *   azureblob backend's listing); with an account key it only builds https://<account>.<endpoint>
 *   URLs, and its emulator mode is fixed to port 10000. Our download alone: 16.57 s, 113 MiB/s,
 *   client CPU 12.8 s (main 2.5u+1.1s, helpers 0.8u+5.2s, hash workers 3.1u+0.1s).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/parse.js';
import type { StorageSection } from '../src/config/types.js';
import { uploadFile } from '../src/storage/helpers.js';
import { openStorage } from '../src/storage/open.js';
import { startAzurite } from '../test/environments/object-stores/azurite.js';
import { startFakeGcs } from '../test/environments/object-stores/fake-gcs.js';
import { ensureDebianPackages } from '../test/environments/object-stores/install.js';
import { tempKeyFile } from '../test/support/object-store-env.js';
import { downloadPairs, oursDownload, planOf, rcloneDownload, runRcloneWith, summary, timed } from './lib/download-compare.js';
import { mib } from './lib/radosgw-bench.js';
import { runLimited, writeSnapshotSet, type SetFile } from './lib/snapshot-set.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback);
const transfers = option('--transfers', 4);
const rounds = option('--rounds', 2);
const pinnedRounds = option('--pinned-rounds', 1);
const stores = (args.includes('--stores') ? (args[args.indexOf('--stores') + 1] ?? '') : 'gcs,azure').split(',');
const BUCKET = 'medusa-bench';

/** A running emulator: our `[storage]` section for it, rclone's remote settings, its processes. */
interface Store {
  readonly name: string;
  readonly section: StorageSection;
  readonly rcloneEnv: NodeJS.ProcessEnv;
  readonly pids: number[];
  stop(): Promise<void>;
}

function section(lines: Record<string, string | number>): StorageSection {
  const ini = `[storage]\n${Object.entries({ bucket_name: BUCKET, concurrent_transfers: transfers, transfer_max_bandwidth: 0, ...lines }).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`;
  return parseConfig(ini, { defaultFqdn: 'bench-node' }).config.storage;
}

/** Processes whose command line holds `arg` followed by `value` (the emulator started on that port). */
function pidsWith(arg: string, value: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[argv.indexOf(arg) + 1] === value && argv.includes(arg)) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

async function startStore(name: string): Promise<Store> {
  const env = { ...process.env };
  delete env['AWS_CA_BUNDLE'];
  if (name === 'gcs') {
    const server = await startFakeGcs();
    await server.createBucket(BUCKET);
    return {
      name: 'GCS (fake-gcs-server)',
      section: section({ storage_provider: 'google_storage', host: '127.0.0.1', port: server.port, secure: 'False' }),
      rcloneEnv: { ...env, RCLONE_CONFIG_STORE_TYPE: 'google cloud storage', RCLONE_CONFIG_STORE_ANONYMOUS: 'true', RCLONE_CONFIG_STORE_ENDPOINT: `${server.endpoint}/storage/v1/` },
      pids: pidsWith('-port', String(server.port)),
      stop: () => server.stop(),
    };
  }
  const server = await startAzurite();
  await server.createContainer(BUCKET);
  const keyFile = tempKeyFile('azure.json', JSON.stringify({ storage_account: server.account, key: server.key }));
  // rclone 1.60 builds https://<account>.<endpoint> from an account and key, or the emulator's
  // fixed port 10000: a container SAS URL is its way to an azurite on any port.
  const sas = generateBlobSASQueryParameters(
    { containerName: BUCKET, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 86_400_000) },
    new StorageSharedKeyCredential(server.account, server.key),
  ).toString();
  return {
    name: 'Azure (azurite)',
    section: section({ storage_provider: 'azure_blobs', host: server.host, port: server.port, secure: 'False', key_file: keyFile }),
    rcloneEnv: { ...env, RCLONE_CONFIG_STORE_TYPE: 'azureblob', RCLONE_CONFIG_STORE_SAS_URL: `${server.endpoint}/${BUCKET}?${sas}` },
    pids: pidsWith('--blobPort', String(server.port)),
    stop: () => server.stop(),
  };
}

async function compare(store: Store, files: readonly SetFile[], work: string): Promise<void> {
  const total = files.reduce((n, f) => n + f.size, 0);
  console.log(`\n## ${store.name}: ${files.length} files, ${mib(total)} MiB, ${transfers} in flight; store processes ${store.pids.join(' ') || 'not found'}`);
  const backend = await openStorage({ storage: store.section });
  const stored = new Map<string, { size: number; hash?: string }>();
  try {
    await timed('medusa-ts upload', total, store.pids, 'unpinned', () =>
      runLimited(files, transfers, async (f: SetFile) => {
        const info = await uploadFile(backend, f.path, `ours/${f.relative}`);
        stored.set(f.relative, { size: info.size, ...(info.hash && { hash: info.hash }) });
      }),
    );
  } finally {
    await backend.close();
  }
  const dest = join(work, 'ours-down');
  const jobFile = join(work, 'job.json');
  await writeFile(jobFile, JSON.stringify({ storage: store.section, tables: planOf(files, stored), dest, transfers, mode: 'restore' }));
  const rcloneArgs = (rdest: string): string[] => ['copy', `store:${BUCKET}/ours`, rdest, '--transfers', String(transfers), '--config', '/dev/null', '-q'];
  const ours = oursDownload(jobFile, dest, total, files.length, store.pids);
  const theirs = rcloneDownload(join(work, 'rclone-down'), total, store.pids, (rdest, cpu) => runRcloneWith(store.rcloneEnv, rcloneArgs(rdest), cpu));
  try {
    await theirs();
  } catch (err) {
    console.log(`rclone cannot download from ${store.name}: ${err instanceof Error ? err.message : String(err)}; our download alone:`);
    await ours();
    return;
  }
  const { free, pinned } = await downloadPairs({ ours, theirs }, store.pids, rounds, pinnedRounds);
  summary(`${store.name}, unpinned`, free);
  if (pinned.length > 0) summary(`${store.name}, pinned (store CPU 0, client CPU 1)`, pinned);
}

await ensureDebianPackages(['rclone'], ['rclone']);
const work = await mkdtemp(join(tmpdir(), 'medusa-bench-stores-'));
try {
  console.log('# writing the snapshot-like set...');
  const files = await writeSnapshotSet(join(work, 'src'));
  for (const name of stores) {
    const store = await startStore(name);
    try {
      await compare(store, files, work);
    } finally {
      await store.stop();
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
