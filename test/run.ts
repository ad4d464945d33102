/**
 * Runs the test suite: brings up the environments the selected groups need (real Cassandra nodes,
 * object-store servers, ...), runs every `*.test.ts` of those groups in ONE `node --test` run (so
 * the closing summary counts everything), and tears the environments down in every path.
 *
 * Usage: `tsx test/run.ts [group ...] [--only TEXT ...]`; no group = all groups, in the order below.
 * `--only TEXT` keeps only the test files whose path (relative to `test/`) contains TEXT (several
 * `--only` keep the union); the environments started are those of the groups still holding a file.
 * A group is a folder `test/<group>/` of `*.test.ts` files. `GROUP_ENVIRONMENTS` names the
 * environments each group needs; an environment is `test/environments/<name>.ts`, whose default
 * export is a `TestEnvironment`. Each is started at most once per run, before any test, and its
 * variables are passed to every test, which fails (never skips) when a variable it needs is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A server (or set of servers) some tests need, started once for the whole run. */
export interface TestEnvironment {
  readonly name: string;
  /** Installs what is missing (idempotently), starts, waits until ready; returns env variables for tests. */
  up(): Promise<Record<string, string>>;
  /** Stops everything `up` started; must be safe after a failed or partial `up`. */
  down(): Promise<void>;
}

/** Test groups in run order, with the environments (test/environments/<name>.ts) each one needs. */
const GROUP_ENVIRONMENTS: Record<string, string[]> = {
  unit: [],
  e2e: [],
  conformance: ['object-stores'],
  harness: ['cassandra-node', 'cassandra-cluster'],
  cassandra: ['cassandra-node', 'object-stores', 'python-medusa'],
  k8s: ['cassandra-node'],
  interop: ['python-medusa', 'cassandra-node'],
  agent: ['python-medusa', 'grpc-health-probe'],
  cluster: ['cassandra-cluster', 'python-medusa'],
  monitoring: ['prometheus'],
};
const ALL_GROUPS = Object.keys(GROUP_ENVIRONMENTS);
const root = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

async function loadEnvironment(name: string): Promise<TestEnvironment> {
  const file = join(root, 'test', 'environments', `${name}.ts`);
  if (!existsSync(file)) throw new Error(`test environment ${name}: ${relative(root, file)} does not exist`);
  const mod = (await import(pathToFileURL(file).href)) as { default: TestEnvironment };
  return mod.default;
}

function runNodeTest(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Splits argv into group names and `--only` filters. */
function parseArguments(args: readonly string[]): { groups: string[]; only: string[] } {
  const groups: string[] = [];
  const only: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--only') {
      const text = args[++i];
      if (text === undefined || text === '') throw new Error('--only needs a non-empty text');
      only.push(text);
    } else {
      groups.push(arg);
    }
  }
  return { groups, only };
}

async function main(): Promise<number> {
  const { groups: requested, only } = parseArguments(process.argv.slice(2));
  const unknown = requested.filter((g) => !ALL_GROUPS.includes(g));
  if (unknown.length > 0) {
    console.error(`unknown test group(s): ${unknown.join(', ')}; known: ${ALL_GROUPS.join(', ')}`);
    return 2;
  }
  const groups = requested.length > 0 ? requested : ALL_GROUPS;
  const started: TestEnvironment[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const e of started.reverse()) {
      try {
        await e.down();
      } catch (err) {
        console.error(`test environment ${e.name}: teardown failed: ${String(err)}`);
      }
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => void stopAll().then(() => process.exit(130)));
  }
  try {
    // This runner's Node first on the PATH, so every child that looks `node` up (bin/medusa,
    // scripts, hosts' commands) runs on the same Node as the tests (Node 24 under ./npmw).
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
    const files: string[] = [];
    const needed = new Set<string>();
    for (const group of groups) {
      const groupFiles = testFiles(join(root, 'test', group)).filter(
        (f) => only.length === 0 || only.some((text) => relative(join(root, 'test'), f).includes(text)),
      );
      if (groupFiles.length === 0) continue;
      for (const name of GROUP_ENVIRONMENTS[group] ?? []) needed.add(name);
      files.push(...groupFiles);
    }
    for (const name of needed) {
      const environment = await loadEnvironment(name);
      started.push(environment);
      const t0 = Date.now();
      console.log(`# starting test environment: ${environment.name}`);
      Object.assign(env, await environment.up());
      console.log(`# ${environment.name} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    if (files.length === 0) {
      console.error('no test file matches the selection');
      return 2;
    }
    console.log(`# running ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
    return await runNodeTest(files, env);
  } finally {
    await stopAll();
  }
}

process.exitCode = await main();
