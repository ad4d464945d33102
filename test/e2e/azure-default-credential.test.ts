/**
 * `azure_blobs` without `key_file`, end to end through `bin/medusa`: DefaultAzureCredential and
 * the account from AZURE_STORAGE_ACCOUNT, against azurite with OAuth over HTTPS, the token coming
 * from a loopback managed-identity endpoint (test/support/azurite-oauth.ts). Nothing leaves the
 * machine: the success runs name only loopback endpoints, and the "no credential anywhere" run is
 * made inside a fresh network namespace (only a loopback that is down), so DefaultAzureCredential's
 * managed-identity probe of 169.254.169.254 fails at once instead of going out.
 *
 * The bucket is a fixture written from the layout spec (not by our writer): list-backups, status and
 * verify (with MD5 checks) print through the token-authenticated client what they print for the
 * same fixture on local storage; in a copy without its index, build-index writes the index.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureDebianPackages } from '../environments/object-stores/install.js';
import { OAUTH_ACCOUNT, startAzuriteOAuth, type AzuriteOAuth } from '../support/azurite-oauth.js';
import { MEDUSA_BIN, scratchDir, writeLocalIni } from '../support/cli.js';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS, type FixtureScenario } from '../support/fixture-scenarios.js';

const CONTAINER = 'medusa-oauth';
/** The same fixture without its index, for build-index to write. */
const UNINDEXED = 'medusa-oauth-noindex';
const scenario: FixtureScenario = FIXTURE_SCENARIOS.find((s) => s.name === 'complete-3-nodes') ?? assert.fail('fixture scenario complete-3-nodes is missing');
const backupName = scenario.bucket.nodeBackups[0]?.name ?? assert.fail('complete-3-nodes has no backup');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * The environment of a medusa child: the test process's, minus every variable an Azure credential
 * source reads (so a developer's own login cannot leak in), with HOME in a scratch folder.
 */
function isolatedEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AZURE_|IDENTITY_|MSI_|IMDS_|MEDUSA_TEST_)/.test(k)) env[k] = v;
  }
  return { ...env, HOME: home, TZ: 'UTC', ...extra };
}

/**
 * Runs `medusa args` with exactly `env`; `netns` runs it in a new, empty network namespace.
 * Asynchronous: the token endpoint lives in this process and must keep answering meanwhile.
 */
function medusa(args: readonly string[], env: NodeJS.ProcessEnv, netns = false): Promise<Run> {
  const started = Date.now();
  const unshare = process.getuid?.() === 0 ? ['--net'] : ['--map-root-user', '--net'];
  const [command, argv] = netns ? ['unshare', [...unshare, MEDUSA_BIN, ...args]] : [MEDUSA_BIN, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) reject(new Error(`medusa ${args.join(' ')}: killed by ${signal} (no exit within 120 s?); stderr:\n${stderr}`));
      else resolve({ status: code ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((p) => join(name, p)) : [name];
  });
}

function assertOneErrorLine(r: Run, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? '', pattern);
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
}

describe('azure_blobs with default Azure credentials (azurite, OAuth over HTTPS)', { timeout: 600_000 }, () => {
  let az: AzuriteOAuth | undefined;
  const scratch = scratchDir('medusa-azure-dac-');
  const home = join(scratch.dir, 'home');
  let localIni = '';
  let azureIni = '';
  let unindexedIni = '';
  let keyIni = '';

  const server = (): AzuriteOAuth => az ?? assert.fail('azurite (oauth) did not start');
  /** Child environment for the token-credential runs against the OAuth azurite. */
  const tokenEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    isolatedEnv(home, { NODE_EXTRA_CA_CERTS: server().caFile, AZURE_STORAGE_ACCOUNT: OAUTH_ACCOUNT, ...server().identityEnv, ...extra });

  before(async () => {
    az = await startAzuriteOAuth();
    const bucketDir = writeFixtureBucket(join(scratch.dir, 'local'), 'medusa', scenario.bucket);
    await az.createContainer(CONTAINER);
    await az.createContainer(UNINDEXED);
    for (const rel of filesUnder(bucketDir)) {
      const key = rel.split('\\').join('/');
      const body = readFileSync(join(bucketDir, rel));
      await az.putBlob(CONTAINER, key, body);
      if (!key.startsWith('index/')) await az.putBlob(UNINDEXED, key, body);
    }

    localIni = writeLocalIni(join(scratch.dir, 'local-ini'), { basePath: join(scratch.dir, 'local'), bucket: 'medusa', fqdn: scenario.localFqdn });
    const iniFor = (name: string, container: string, extra: string[] = []): string => {
      const lines = ['[storage]', 'storage_provider = azure_blobs', `bucket_name = ${container}`, `fqdn = ${scenario.localFqdn}`, `host = ${server().host}`, `port = ${server().port}`, 'secure = True', ...extra];
      const path = join(scratch.dir, name);
      writeFileSync(path, `${lines.join('\n')}\n`);
      return path;
    };
    azureIni = iniFor('azure.ini', CONTAINER);
    unindexedIni = iniFor('azure-unindexed.ini', UNINDEXED);
    // The emulator's documented development key (public; not a secret).
    const keyFile = join(scratch.dir, 'azure-key.json');
    writeFileSync(keyFile, JSON.stringify({ storage_account: OAUTH_ACCOUNT, key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==' }));
    keyIni = iniFor('azure-key.ini', CONTAINER, [`key_file = ${keyFile}`]);
  });

  after(async () => {
    await az?.stop();
    scratch.cleanup();
  });

  test('a token from the managed identity: list-backups, status and verify --enable-md5-checks print what they print on local storage', async () => {
    const env = tokenEnv();
    for (const args of [['list-backups'], ['status', '--backup-name', backupName], ['verify', '--backup-name', backupName, '--enable-md5-checks']]) {
      const local = await medusa(['--config-file', localIni, ...args], isolatedEnv(home, {}));
      const azure = await medusa(['--config-file', azureIni, ...args], env);
      assert.equal(local.status, 0, `${args.join(' ')} on local: ${local.stderr}`);
      assert.equal(azure.status, 0, `${args.join(' ')} on azurite: ${azure.stderr}`);
      assert.equal(azure.stdout, local.stdout, args.join(' '));
    }
    assert.ok(server().tokenRequests() >= 1, 'the token came from the loopback managed identity');
  });

  test('a token from the managed identity: build-index writes the index, list-backups then shows the backup', async () => {
    const env = tokenEnv();
    const empty = await medusa(['--config-file', unindexedIni, 'list-backups'], env);
    assert.equal(empty.status, 0, empty.stderr);
    assert.equal(empty.stdout, '', 'no index yet');
    const built = await medusa(['--config-file', unindexedIni, 'build-index'], env);
    assert.equal(built.status, 0, built.stderr);
    const written = (await server().listBlobs(UNINDEXED)).filter((k) => k.startsWith(`index/backup_index/${backupName}/`));
    assert.ok(written.length >= 3, `index entries written: ${written.join(', ')}`);
    // Times come from the blobs' upload times here, so only the shape is compared.
    const listed = await medusa(['--config-file', unindexedIni, 'list-backups'], env);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${backupName} \\(started: [0-9: -]+, finished: [0-9: -]+\\)\n$`));
  });

  test('key_file still wins: Shared Key against the same store, AZURE_STORAGE_ACCOUNT ignored', async () => {
    const r = await medusa(['--config-file', keyIni, 'list-backups'], tokenEnv({ AZURE_STORAGE_ACCOUNT: 'someotheraccount', IDENTITY_ENDPOINT: 'http://127.0.0.1:1/unused' }));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, (await medusa(['--config-file', localIni, 'list-backups'], isolatedEnv(home, {}))).stdout);
  });

  test('a token the store refuses: one line naming the provider and the refusal, exit 1', async () => {
    const r = await medusa(['--config-file', azureIni, 'list-backups'], tokenEnv(server().wrongAudienceEnv));
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assertOneErrorLine(r, /^(\[.*\] )?ERROR: azure_blobs: list azure:\/\/medusa-oauth\/\S*: the access token from the default Azure credentials was refused \(.+\)$/);
  });

  test('no key_file and no AZURE_STORAGE_ACCOUNT: one line on [storage] key_file, exit 2', async () => {
    const r = await medusa(['--config-file', azureIni, 'list-backups'], isolatedEnv(home, { NODE_EXTRA_CA_CERTS: server().caFile, ...server().identityEnv }));
    assert.equal(r.status, 2, r.stderr);
    assertOneErrorLine(r, /ERROR: .*\[storage\] key_file: azure_blobs: not set, .*AZURE_STORAGE_ACCOUNT environment variable, which is not set/);
  });

  test('no credential anywhere (a host with no Azure identity, no network): one line with each source\'s answer, exit 1', async () => {
    await ensureDebianPackages(['util-linux'], ['unshare']);
    const r = await medusa(['--config-file', azureIni, 'list-backups'], isolatedEnv(home, { AZURE_STORAGE_ACCOUNT: OAUTH_ACCOUNT }), true);
    assert.equal(r.status, 1, `${r.stderr} (a failure to create the network namespace shows here too)`);
    assert.equal(r.stdout, '');
    assertOneErrorLine(
      r,
      /ERROR: azure_blobs: list azure:\/\/medusa-oauth\/\S*: no Azure credential available: key_file is not set and DefaultAzureCredential found none \(EnvironmentCredential is unavailable.*; ManagedIdentityCredential: .*IMDS.*; .*Azure CLI.*\)$/,
    );
    assert.ok(!/https?:\/\//.test(r.stderr), 'no troubleshooting links in the line');
    assert.ok(r.ms < 60_000, `fails fast (took ${r.ms} ms)`);
    process.stderr.write(`# no-credential failure took ${r.ms} ms\n`);
  });
});
