import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultBackupName } from '../../../src/ops/api/backup.js';
import { ProgressLine, renderProgress } from '../../../src/cli/render/progress-line.js';
import { previousHost } from '../../../src/ops/backup-stagger.js';
import { formatDuration, logBackupSummary } from '../../../src/ops/backup-summary.js';
import { createLogger } from '../../../src/util/logger.js';
import { hashCachePath } from '../../../src/ops/hash-cache-location.js';

describe('backup helpers', () => {
  test('durations print like Python timedelta', () => {
    assert.equal(formatDuration(0), '0:00:00');
    assert.equal(formatDuration(5123.456), '0:00:05.123456');
    assert.equal(formatDuration(3_723_000), '1:02:03');
  });
  test("the summary opens with Medusa 0.31's 'Backup done: <name> (<mode>)'", () => {
    for (const differential of [true, false]) {
      const lines: string[] = [];
      const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: (l) => lines.push(l) });
      const at = new Date(2024, 0, 2, 3, 4, 5).getTime();
      logBackupSummary(log, { name: 'b1', differential, started: at, extractStarted: at, finished: at + 1500, uploaded: 3, replaced: 1, kept: 2, totalSize: 2048, uploadedBytes: 1024, keptBytes: 1024 });
      assert.deepEqual(lines, [
        `INFO: Backup done: b1 (${differential ? 'differential' : 'full'})`,
        'INFO: - Started: 2024-01-02 03:04:05',
        'INFO: - Started extracting data: 2024-01-02 03:04:05',
        'INFO: - Finished: 2024-01-02 03:04:06',
        'INFO: - Real duration: 0:00:01.500000 (excludes time waiting for other nodes)',
        'INFO: - 5 files, 2.00 KB',
        'INFO: - 3 files copied from host (2 new, 1 reuploaded)',
        'INFO: - 2 kept from previous backup (b1)',
      ]);
    }
  });
  test('default backup name is local %Y%m%d%H%M', () => {
    const d = new Date(2024, 0, 2, 3, 4, 59);
    assert.equal(defaultBackupName(d.getTime()), '202401020304');
  });
  test('stagger: previous host by token list order', () => {
    const map = new Map([
      ['c', { tokens: [5n], is_up: true }],
      ['a', { tokens: [-9n, 100n], is_up: true }],
      ['b', { tokens: [-9n, 200n], is_up: true }],
    ]);
    assert.equal(previousHost(map, 'a'), undefined);
    assert.equal(previousHost(map, 'b'), 'a');
    assert.equal(previousHost(map, 'c'), 'b');
  });
  test('progress text: files, bytes, rate, ETA', () => {
    assert.equal(renderProgress({ files: 3, totalFiles: 10, bytes: 1048576, totalBytes: 4194304, elapsedMs: 1000 }),
      'Uploading 3/10 files, 1.00 MB of 4.00 MB, 1.00 MB/s, ETA 00:03');
    assert.equal(renderProgress({ direction: 'download', files: 0, totalFiles: 2, bytes: 0, totalBytes: 2048, elapsedMs: 0 }),
      'Downloading 0/2 files, 0.00 B of 2.00 KB, 0.00 B/s, ETA --:--');
  });
  test('progress line draws only when begun with work, and erases itself at the end', () => {
    const out: string[] = [];
    let t = 0;
    const line = new ProgressLine({ write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream, () => (t += 1000));
    line.bytesMoved(5);
    assert.equal(out.length, 0);
    line.begin({ direction: 'upload', files: 2, bytes: 10 });
    line.transferStarted('a', 5);
    line.bytesMoved(5);
    line.transferFinished('a', true);
    line.transferFinished('b', false);
    line.end();
    assert.ok(out.some((s) => s.includes('Uploading 0/2 files')));
    // Only transfers that succeeded count as done.
    assert.ok(!out.some((s) => s.includes('Uploading 2/2 files')));
    assert.equal(out[out.length - 1], '\r\x1b[K');
  });
  test('hash cache location', () => {
    assert.equal(hashCachePath({ MEDUSA_CACHE_DIR: '/c' }), '/c/hash-cache.json');
    assert.equal(hashCachePath({ XDG_CACHE_HOME: '/x' }), '/x/medusa-ts/hash-cache.json');
  });
});
