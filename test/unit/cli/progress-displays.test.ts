/**
 * The CLI's progress displays (render/progress-line.ts, render/host-progress.ts): the text of each
 * kind of batch, and the host block drawn and erased in place; and the host states a step reports
 * (remote/job.ts), which a cluster command's block shows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostProgressBlock, renderHostLines } from '../../../src/cli/render/host-progress.js';
import { ProgressLine, renderProgress } from '../../../src/cli/render/progress-line.js';
import { runStep } from '../../../src/remote/job.js';
import type { CommandOutcome, OutputSinks, RemoteExecutor } from '../../../src/remote/types.js';
import { createLogger } from '../../../src/util/logger.js';
import { scratchDir } from '../../support/cli.js';

function fakeStream(columns?: number): { out: string[]; stream: NodeJS.WriteStream } {
  const out: string[] = [];
  return { out, stream: { write: (s: string) => out.push(s), columns } as unknown as NodeJS.WriteStream };
}

describe('progress line', () => {
  test('each kind of batch has its verb; a batch without bytes counts objects', () => {
    assert.equal(renderProgress({ direction: 'hash', files: 1, totalFiles: 4, bytes: 2 << 20, totalBytes: 8 << 20, elapsedMs: 2000 }),
      'Hashing 1/4 files, 2.00 MB of 8.00 MB, 1.00 MB/s, ETA 00:06');
    assert.equal(renderProgress({ direction: 'delete', files: 300, totalFiles: 1000, bytes: 0, totalBytes: 0, elapsedMs: 2000 }),
      'Deleting 300/1000 objects, 150 objects/s, ETA 00:05');
    assert.equal(renderProgress({ direction: 'delete', files: 0, totalFiles: 10, bytes: 0, totalBytes: 0, elapsedMs: 0 }),
      'Deleting 0/10 objects, 0 objects/s, ETA --:--');
  });

  test('every batch counts from zero (one batch per node)', () => {
    const { out, stream } = fakeStream();
    let t = 0;
    const line = new ProgressLine(stream, () => (t += 1000));
    line.begin({ direction: 'delete', files: 2, bytes: 0 });
    line.transferFinished('a', true);
    line.transferFinished('b', true);
    line.end();
    line.begin({ direction: 'delete', files: 3, bytes: 0 });
    line.transferFinished('c', true);
    line.end();
    assert.ok(out.some((s) => s.includes('Deleting 2/2 objects')));
    assert.ok(out.some((s) => s.includes('Deleting 1/3 objects')), out.join('|'));
    assert.ok(!out.some((s) => s.includes('Deleting 3/3 objects')));
  });
});

describe('host block', () => {
  test('one line per host: step, state, elapsed time and last log line while running; cut to the width', () => {
    const rows = new Map([
      ['node-a', { step: 'backup', state: 'running' as const, detail: 'Uploading 3 files', elapsedMs: 65_000 }],
      ['b', { step: 'snapshot', state: 'done' as const, detail: 'ignored when not running', elapsedMs: 1000 }],
    ]);
    assert.deepEqual(renderHostLines(rows), ['node-a  backup    running 01:05  Uploading 3 files', 'b       snapshot  done   ']);
    assert.deepEqual(renderHostLines(rows, 20), ['node-a  backup    r', 'b       snapshot  d']);
  });

  test('redrawn in place (cursor up over the lines it drew), erased around log lines and at the end', () => {
    const { out, stream } = fakeStream(200);
    let t = 0;
    const block = new HostProgressBlock(stream, () => (t += 10));
    block.hostStep('n1', 'restore', 'waiting');
    block.hostStep('n2', 'restore', 'waiting');
    assert.equal(out.join(''), 'n1    restore  waiting\r\x1b[Jn1    restore  waiting\nn2    restore  waiting');
    out.length = 0;
    block.hostStep('n1', 'restore', 'running');
    assert.equal(out[0], '\r\x1b[1A\x1b[J', 'moves up to the first of its 2 lines and erases below');
    assert.match(out[1]!, /^n1 {4}restore {2}running 00:00\nn2 {4}restore {2}waiting$/);
    // The same state with a new detail inside 250 ms is not redrawn.
    out.length = 0;
    block.hostStep('n1', 'restore', 'running', 'Downloading');
    assert.equal(out.length, 0);
    const logged: string[] = [];
    const keep = (m: string): void => void logged.push(m);
    const log = block.wrapLogger({ debug: keep, info: keep, warning: keep, error: keep, debugEnabled: false });
    log.info('hello');
    assert.deepEqual(logged, ['hello']);
    assert.equal(out[0], '\r\x1b[1A\x1b[J');
    assert.match(out[1]!, /Downloading/);
    out.length = 0;
    block.end();
    assert.deepEqual(out, ['\r\x1b[1A\x1b[J']);
  });
});

describe('host states of a step', () => {
  test('waiting for all, then running (with each last line logged), then done or failed', async () => {
    const executor = {
      run(host: string, _command: string, sinks: OutputSinks): Promise<CommandOutcome> {
        sinks.stderr(Buffer.from(`first\nworking on ${host}\n`));
        return Promise.resolve(host === 'bad' ? { exitCode: 1, failure: { kind: 'exit', message: 'exit code 1' } } : { exitCode: 0 });
      },
      close: () => Promise.resolve(),
    } satisfies RemoteExecutor;
    const seen: string[] = [];
    const { dir, cleanup } = scratchDir();
    try {
      await runStep(
        { executor, jobDir: dir, log: createLogger({ verbosity: 0, withoutTimestamp: true }), timeoutMs: 1000, wrap: false, onHostState: (h, step, state, detail) => void seen.push(`${h} ${step} ${state}${detail ? ` ${detail}` : ''}`) },
        'backup',
        [{ host: 'good', command: 'x' }, { host: 'bad', command: 'y' }],
        1,
      );
    } finally {
      cleanup();
    }
    assert.deepEqual(seen, [
      'good backup waiting', 'bad backup waiting',
      'good backup running', 'good backup running working on good', 'good backup done',
      'bad backup running', 'bad backup running working on bad', 'bad backup failed',
    ]);
  });
});
