/**
 * Shared set-up of the backup tests on the harness node (MEDUSA_TEST_NODE): a scratch folder with
 * a medusa.ini for local storage pointing at the node's cassandra.yaml and nodetool, and helpers
 * to read what a backup stored and printed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readNodeDescriptor, type NodeDescriptor } from '../harness/node-descriptor.js';
import { parseManifest, type Manifest } from '../../src/domain/manifest.js';
import { runMedusa, runMedusaAsync, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';


/** The harness node; fails (never skips) when the environment did not provide one. */
export function testNode(): NodeDescriptor {
  const path = process.env['MEDUSA_TEST_NODE'];
  if (!path) throw new Error('MEDUSA_TEST_NODE is not set: run through `tsx test/run.ts cassandra` (environment cassandra-node)');
  return readNodeDescriptor(path);
}

export interface BackupBench {
  readonly node: NodeDescriptor;
  readonly dir: string;
  readonly ini: string;
  readonly bucketDir: string;
  readonly fqdn: string;
  /** Runs `medusa --config-file <ini> <args>` with the hash cache kept in the scratch folder. */
  run(args: readonly string[], env?: NodeJS.ProcessEnv): CliResult;
  /** `run` without blocking this process (when it serves something the command calls). */
  runAsync(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  manifest(name: string): Manifest;
  /** Files in the node's differential pool. */
  poolSize(): number;
  cleanup(): void;
}

/**
 * A scratch bucket and medusa.ini for `node`; `cassandraLines` go into `[cassandra]`, `sections`
 * (whole sections, header lines included) after it.
 */
export function backupBench(node: NodeDescriptor, extra: { nodetool?: string; cassandraLines?: string[]; sections?: string[] } = {}): BackupBench {
  const scratch = scratchDir('medusa-backup-test-');
  const fqdn = node.host;
  const ini = writeLocalIni(scratch.dir, {
    basePath: join(scratch.dir, 'store'),
    bucket: 'bucket',
    fqdn,
    extra: [
      'concurrent_transfers = 2',
      '',
      '[cassandra]',
      `config_file = ${node.cassandraYaml}`,
      `nodetool_executable = ${extra.nodetool ?? node.bin.nodetool}`,
      'resolve_ip_addresses = False',
      ...(extra.cassandraLines ?? []),
      '',
      ...(extra.sections ?? []),
      '',
      '[monitoring]',
      'monitoring_provider = local',
    ].join('\n'),
  });
  const bucketDir = join(scratch.dir, 'store', 'bucket');
  const countFiles = (dir: string): number =>
    !existsSync(dir) ? 0 : readdirSync(dir).reduce((n, e) => n + (statSync(join(dir, e)).isDirectory() ? countFiles(join(dir, e)) : 1), 0);
  return {
    node,
    dir: scratch.dir,
    ini,
    bucketDir,
    fqdn,
    // A backup runs nodetool twice (a JVM start each): a minute on a loaded two-core machine.
    run: (args, env = {}) =>
      runMedusa(['--config-file', ini, '--without-log-timestamp', ...args], { cwd: scratch.dir, env: { MEDUSA_CACHE_DIR: join(scratch.dir, 'cache'), ...env }, timeoutMs: 600_000 }),
    runAsync: (args, env = {}) =>
      runMedusaAsync(['--config-file', ini, '--without-log-timestamp', ...args], { cwd: scratch.dir, env: { MEDUSA_CACHE_DIR: join(scratch.dir, 'cache'), ...env }, timeoutMs: 600_000 }),
    manifest: (name) => {
      const key = join(bucketDir, fqdn, name, 'meta', 'manifest.json');
      return parseManifest(readFileSync(key, 'utf8'), key);
    },
    poolSize: () => countFiles(join(bucketDir, fqdn, 'data')),
    cleanup: scratch.cleanup,
  };
}

/** The figures of the summary lines (reference §4.6) in a backup's stderr. */
export function summaryOf(stderr: string): { total: number; uploaded: number; fresh: number; replaced: number; kept: number } {
  const total = /- (\d+) files, /.exec(stderr);
  const copied = /- (\d+) files copied from host \((\d+) new, (\d+) reuploaded\)/.exec(stderr);
  const kept = /- (\d+) kept from previous backup/.exec(stderr);
  if (!total || !copied || !kept) throw new Error(`no backup summary in:\n${stderr}`);
  return { total: Number(total[1]), uploaded: Number(copied[1]), fresh: Number(copied[2]), replaced: Number(copied[3]), kept: Number(kept[1]) };
}

/** Snapshot folders named `tag` under the node's data directories. */
export function snapshotDirs(node: NodeDescriptor, tag: string): string[] {
  const out: string[] = [];
  for (const d of node.dataDirs) {
    if (!existsSync(d)) continue;
    for (const ks of readdirSync(d)) {
      for (const t of readdirSync(join(d, ks))) {
        const s = join(d, ks, t, 'snapshots', tag);
        if (existsSync(s)) out.push(s);
      }
    }
  }
  return out;
}
