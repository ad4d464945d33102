import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeFailures, failedHosts, runStep } from '../../../src/remote/job.js';
import { LocalExecutor } from '../../../src/remote/local-executor.js';
import { wrapRemoteCommand } from '../../../src/remote/ssh-executor.js';
import { shellJoin, shellQuote } from '../../../src/remote/shell-quote.js';
import type { CommandOutcome, OutputSinks, RemoteExecutor } from '../../../src/remote/types.js';
import { createLogger } from '../../../src/util/logger.js';
import { scratchDir } from '../../support/cli.js';

const log = createLogger({ verbosity: 0, withoutTimestamp: true });

test('shell quoting round-trips through sh', async () => {
  const words = ['plain', 'with space', "it's", '$HOME', 'a"b', ''];
  const { dir, cleanup } = scratchDir();
  try {
    const outcomes = await runStep({ executor: new LocalExecutor(), jobDir: dir, log, timeoutMs: 10_000, wrap: false }, 'echo', [{ host: 'h1', command: `printf '%s\\n' ${shellJoin(words)}` }], 1);
    assert.equal(outcomes[0]!.ok, true);
    assert.equal(readFileSync(join(dir, 'h1', 'echo', 'stdout'), 'utf8'), `${words.join('\n')}\n`);
    assert.equal(shellQuote('a.b/c-d'), 'a.b/c-d');
  } finally {
    cleanup();
  }
});

test('sudo and login shell wrapping', () => {
  assert.equal(wrapRemoteCommand('ls', { useSudo: false, loginShell: false, username: 'u' }), 'ls');
  assert.equal(wrapRemoteCommand('ls', { useSudo: true, loginShell: false, username: 'root' }), 'ls');
  assert.equal(wrapRemoteCommand('ls -l', { useSudo: true, loginShell: false, username: 'u' }), "sudo -n sh -c 'ls -l'");
  assert.match(wrapRemoteCommand('ls', { useSudo: false, loginShell: true, username: 'u' }), /-lc ls$/);
});

test('wrapped jobs: output and exit codes per host, logs kept, failures summarised, parallelism bounded', async () => {
  const { dir, cleanup } = scratchDir();
  try {
    const job = { executor: new LocalExecutor(), jobDir: dir, log, timeoutMs: 20_000 };
    const outcomes = await runStep(
      job,
      'work',
      [
        { host: 'h1', command: 'echo out-1; echo err-1 >&2' },
        { host: 'h2', command: 'echo doomed >&2; exit 3' },
      ],
      1,
    );
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false]);
    assert.equal(readFileSync(join(dir, 'h1', 'work', 'stdout'), 'utf8'), 'out-1\n');
    assert.equal(readFileSync(join(dir, 'h1', 'work', 'stderr'), 'utf8'), 'err-1\n');
    assert.equal(outcomes[1]!.exitCode, 3);
    assert.deepEqual(failedHosts(outcomes), ['h2']);
    const [line] = describeFailures(outcomes);
    assert.match(line!, /^h2 \[work\]: exit code 3 \(doomed\) \(log: .*h2\/work\)$/);
    assert.ok(existsSync(join(dir, 'h2', 'work', 'remote', 'status')));
  } finally {
    cleanup();
  }
});

/** Drops the "connection" of the first run after a moment; later runs are passed through. */
class DroppingExecutor implements RemoteExecutor {
  runs = 0;
  private readonly local = new LocalExecutor();
  async run(host: string, command: string, sinks: OutputSinks, options: { timeoutMs: number }): Promise<CommandOutcome> {
    this.runs++;
    if (this.runs === 1) {
      void this.local.run(host, command, { stdout: () => undefined, stderr: () => undefined }, options);
      await new Promise((r) => setTimeout(r, 300));
      return { exitCode: undefined, failure: { kind: 'connection-lost', message: 'dropped' } };
    }
    return this.local.run(host, command, sinks, options);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

test('a dropped connection re-attaches to the running job instead of starting it twice', async () => {
  const { dir, cleanup } = scratchDir();
  try {
    const counter = join(dir, 'count');
    const executor = new DroppingExecutor();
    const outcomes = await runStep(
      { executor, jobDir: dir, log, timeoutMs: 20_000, reattachDelayMs: 10 },
      'slow',
      [{ host: 'h1', command: `echo x >> ${shellQuote(counter)}; sleep 2; echo done` }],
      1,
    );
    assert.equal(outcomes[0]!.ok, true, JSON.stringify(outcomes[0]));
    assert.equal(executor.runs, 2);
    assert.equal(readFileSync(counter, 'utf8'), 'x\n', 'the command ran once');
    assert.equal(readFileSync(join(dir, 'h1', 'slow', 'stdout'), 'utf8'), 'done\n');
  } finally {
    cleanup();
  }
});

test('timeout is reported as such', async () => {
  const { dir, cleanup } = scratchDir();
  try {
    const outcomes = await runStep({ executor: new LocalExecutor(), jobDir: dir, log, timeoutMs: 300, wrap: false }, 't', [{ host: 'h1', command: 'sleep 5' }], 1);
    assert.equal(outcomes[0]!.failure?.kind, 'timeout');
  } finally {
    cleanup();
  }
});
