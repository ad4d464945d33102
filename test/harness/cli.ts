/**
 * Command line for people and scripts (the demo uses `node up/down`):
 *
 *   node --import tsx test/harness/cli.ts node up --dir DIR [--data-dirs N] [--heap 512M] [--num-tokens 4] [--jolokia]
 *   node --import tsx test/harness/cli.ts node down --dir DIR [--grace SECONDS]
 *   node --import tsx test/harness/cli.ts cluster up --dir DIR [--hosts 2] [--seeds 1] [--heap 512M]
 *   node --import tsx test/harness/cli.ts cluster down --dir DIR
 *
 * `up` prints only the descriptor's path on stdout (progress goes to stderr) and leaves the
 * node(s) running; `down` stops them and keeps their files. Exit 0 on success, 1 on failure,
 * 2 on bad usage.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CLUSTER_DESCRIPTOR_FILE } from './cluster-descriptor.js';
import { startCluster, stopCluster } from './cluster.js';
import { NODE_DESCRIPTOR_FILE } from './node-descriptor.js';
import { startSingleNode, stopSingleNode } from './single-node.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function heapSize(value: string): string {
  if (!/^\d+[MmGg]$/.test(value)) throw new InvalidArgumentError('must look like 512M or 1G');
  return value;
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stderr.write(`${what}...\n`);
  const result = await work();
  process.stderr.write(`${what}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return result;
}

const program = new Command('harness')
  .description('Real Cassandra nodes for medusa-ts tests (see test/harness/README.md)')
  .exitOverride();

const node = program.command('node').description('one node on 127.0.0.1 with free ports');
node.command('up').description('start the node in DIR (created if needed); print its descriptor path')
  .requiredOption('--dir <dir>', 'the node folder')
  .option('--data-dirs <n>', 'number of data_file_directories (JBOD when > 1)', positiveInt, 1)
  .option('--heap <size>', 'JVM heap', heapSize, '512M')
  .option('--num-tokens <n>', 'num_tokens (tokens are deterministic)', positiveInt, 4)
  .option('--jolokia', 'attach the Jolokia JVM agent on a free loopback port (descriptor: jolokia.url)', false)
  .action(async (o: { dir: string; dataDirs: number; heap: string; numTokens: number; jolokia: boolean }) => {
    const d = await timed(`starting Cassandra node in ${o.dir}`, () =>
      startSingleNode({ dir: o.dir, dataDirs: o.dataDirs, heap: o.heap, numTokens: o.numTokens, jolokia: o.jolokia }));
    process.stdout.write(`${join(d.dir, NODE_DESCRIPTOR_FILE)}\n`);
  });
node.command('down').description('stop the node in DIR (its files stay)')
  .requiredOption('--dir <dir>', 'the node folder')
  .option('--grace <seconds>', 'SIGKILL after this many seconds', positiveInt, 60)
  .action(async (o: { dir: string; grace: number }) => {
    await timed(`stopping Cassandra node in ${o.dir}`, () => stopSingleNode(o.dir, o.grace));
  });

const cluster = program.command('cluster').description('hosts in network namespaces, one node each, over SSH');
cluster.command('up').description('start the cluster in DIR; print its descriptor path')
  .requiredOption('--dir <dir>', 'the cluster folder')
  .option('--hosts <n>', 'number of hosts (1-3)', positiveInt, 2)
  .option('--seeds <n>', 'how many of the first hosts are seeds', positiveInt, 1)
  .option('--data-dirs <n>', 'data_file_directories per node', positiveInt, 1)
  .option('--heap <size>', 'JVM heap per node', heapSize, '512M')
  .action(async (o: { dir: string; hosts: number; seeds: number; dataDirs: number; heap: string }) => {
    const c = await timed(`starting a ${o.hosts}-host cluster in ${o.dir}`, () =>
      startCluster({ dir: o.dir, hosts: o.hosts, seeds: o.seeds, dataDirs: o.dataDirs, heap: o.heap }));
    process.stdout.write(`${join(c.dir, CLUSTER_DESCRIPTOR_FILE)}\n`);
  });
cluster.command('down').description('stop the cluster in DIR and remove its namespaces and links (files stay)')
  .requiredOption('--dir <dir>', 'the cluster folder')
  .action(async (o: { dir: string }) => {
    await timed(`tearing down the cluster in ${o.dir}`, () => stopCluster(o.dir));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { exitCode?: number; code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has already printed help or the usage error.
    process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
