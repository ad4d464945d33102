/**
 * No command prints a warning that is not about the user's own setup (issue 15): every command
 * that needs no Cassandra node runs through the real CLI against each backend (local, radosgw,
 * MinIO, fake-gcs-server, azurite), on a bucket holding a real backup layout, and every stderr
 * line must be one of medusa's own INFO/ERROR log lines. A runtime or SDK warning (Node's
 * `(node:…) …Warning`, the AWS SDK's Node version notice, a punycode deprecation, …) or a WARNING
 * of ours on a healthy setup fails the test, naming the command and the line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStorage } from '../../src/storage/open.js';
import { FIXTURE_SCENARIOS } from '../support/fixture-scenarios.js';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { runMedusa, scratchDir, type CliResult } from '../support/cli.js';
import { azuriteLines, fakeGcsLines, minioLines, radosgwLines, storageSection } from '../support/object-store-env.js';

type Lines = Record<string, string | number | boolean>;

const scenario = FIXTURE_SCENARIOS.find((s) => s.name === 'complete-3-nodes')!;
const scratch = scratchDir('medusa-quiet-');
after(() => scratch.cleanup());

/** The scenario's bucket under `prefix`, written to a local folder: its root and every file in it. */
function fixtureFiles(prefix: string): { root: string; files: string[] } {
  const root = writeFixtureBucket(join(scratch.dir, `fixture-${prefix}`), 'bucket', { ...scenario.bucket, prefix });
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(root);
  return { root, files };
}

/** A prefix per backend run, so runs never see each other's objects. */
let runCount = 0;

function iniText(lines: Lines): string {
  return `[storage]\n${Object.entries(lines).map(([k, v]) => `${k} = ${String(v)}`).join('\n')}\nfqdn = ${scenario.localFqdn}\n`;
}

/** Every stderr line that is not one of our INFO/ERROR log lines. */
function strayLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !/^(INFO|ERROR): /.test(l));
}

const backends: Array<[string, () => Lines]> = [
  ['local', () => ({ storage_provider: 'local', base_path: join(scratch.dir, 'local-store'), bucket_name: 'bucket' })],
  ['s3_rgw on radosgw', () => radosgwLines()],
  ['s3_compatible on MinIO', () => minioLines()],
  ['google_storage on fake-gcs-server', () => fakeGcsLines()],
  ['azure_blobs on azurite', () => azuriteLines()],
];

describe('commands print no runtime or SDK warning', () => {
  for (const [name, linesOf] of backends) {
    test(name, async () => {
      const prefix = `quiet-${process.pid}-${runCount++}`;
      const lines: Lines = { ...linesOf(), prefix };
      const backend = await openStorage({ storage: storageSection(lines) });
      try {
        const fixture = fixtureFiles(prefix);
        for (const file of fixture.files) await backend.put(relative(fixture.root, file), { kind: 'file', path: file });
      } finally {
        await backend.close();
      }
      const dir = join(scratch.dir, prefix);
      const ini = join(scratch.dir, `${prefix}.ini`);
      mkdirSync(join(dir, 'download'), { recursive: true });
      writeFileSync(ini, iniText(lines));
      const backup = 'backup-full';
      const commands: string[][] = [
        ['list-backups'],
        ['list-backups', '--show-all', '--output', 'json'],
        ['status', '--backup-name', backup],
        ['status', '--backup-name', backup, '-o', 'json'],
        ['verify', '--backup-name', backup],
        ['verify', '--backup-name', backup, '--enable-md5-checks'],
        ['fetch-tokenmap', '--backup-name', backup],
        ['get-last-complete-cluster-backup'],
        ['report-last-backup'],
        ['download', '--backup-name', backup, '--download-destination', join(dir, 'download')],
        ['status', '--backup-name', 'no-such-backup'],
        ['delete-backup', '--backup-name', backup],
      ];
      for (const args of commands) {
        const r: CliResult = runMedusa(['--without-log-timestamp', '--config-file', ini, ...args], { cwd: dir, timeoutMs: 180_000 });
        const expectedExit = args.includes('no-such-backup') ? 1 : 0;
        assert.equal(r.status, expectedExit, `medusa ${args.join(' ')} on ${name}: exit ${r.status}\n${r.stderr}`);
        assert.deepEqual(strayLines(r.stderr), [], `medusa ${args.join(' ')} on ${name} printed lines that are not its own log`);
      }
    });
  }
});
