/**
 * The Prometheus sink on a real file system and the `/metrics` endpoint on loopback: commands in
 * turn update one file, each write replaces the file whole, a file that cannot be written only
 * warns, writers take turns through the lock, and the endpoint serves the file as it is.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createMetricsSink } from '../../../src/monitoring/create.js';
import { METRICS_CONTENT_TYPE, serveMetrics } from '../../../src/monitoring/prometheus-http.js';
import { createPrometheusSink, updateTextfile } from '../../../src/monitoring/prometheus.js';
import type { MetricEvent } from '../../../src/monitoring/types.js';
import type { Logger } from '../../../src/util/logger.js';
import { scratchDir } from '../../support/cli.js';
import { FakeClock } from '../../support/fake-clock.js';

const scratch = scratchDir('medusa-prom-sink-');
after(() => scratch.cleanup());

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { debug: () => undefined, info: () => undefined, warning: (m) => warnings.push(m), error: () => undefined, debugEnabled: false, warnings };
}

const backup: MetricEvent = {
  kind: 'backup', fqdn: 'n1', mode: 'full', backupName: 'b1', started: 1_700_000_000_000, finished: 1_700_000_060_000, ok: true,
  figures: { uploadedFiles: 2, uploadedBytes: 20, reusedFiles: 0, reusedBytes: 0, totalFiles: 2, totalBytes: 20 },
};
const purge: MetricEvent = {
  kind: 'purge', command: 'purge', fqdn: 'n1', finished: 1_700_000_100_000, ok: true,
  figures: { backupsDeleted: 1, objectsDeleted: 3, bytesDeleted: 30, objectsWithinGrace: 0 },
};

let n = 0;
function freshDir(): string {
  const dir = join(scratch.dir, `d${n++}`);
  mkdirSync(dir);
  return dir;
}

describe('Prometheus textfile sink', () => {
  test('separate commands update one file; each write replaces it whole; no temporary file stays', async () => {
    const dir = freshDir();
    const textfile = join(dir, 'medusa.prom');
    const log = recordingLog();
    const first = createMetricsSink({ monitoring_provider: 'prometheus', send_backup_name_tag: false, prometheus_textfile: textfile, prometheus_http_host: '0.0.0.0' }, log);
    await first.record?.(backup);
    await first.close();
    const inode = statSync(textfile).ino;
    const second = createPrometheusSink({ textfile, log });
    await second.record?.(purge);
    // (Checked after one write: the freed inode number may come back for a later file.)
    assert.notEqual(statSync(textfile).ino, inode, 'replaced by a rename, not rewritten in place');
    await second.record?.(backup);
    const text = readFileSync(textfile, 'utf8');
    assert.match(text, /^medusa_backup_runs_total\{backup_type="full",fqdn="n1"\} 2$/m);
    assert.match(text, /^medusa_purge_deleted_objects_total\{command="purge",fqdn="n1"\} 3$/m);
    assert.deepEqual(readdirSync(dir), ['medusa.prom']);
    assert.deepEqual(log.warnings, []);
  });

  test('a folder that does not exist: one warning naming the file and the key, nothing created, no rejection', async () => {
    const dir = freshDir();
    const textfile = join(dir, 'missing', 'medusa.prom');
    const log = recordingLog();
    await createPrometheusSink({ textfile, log }).record?.(backup);
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0]!, /Cannot update the Prometheus metrics file .*missing\/medusa\.prom .*\[monitoring\] prometheus_textfile/);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('writers take turns: a held lock is waited for, then the write fails with a warning; a stale one is taken over', async () => {
    const dir = freshDir();
    const textfile = join(dir, 'medusa.prom');
    writeFileSync(`${textfile}.lock`, '');
    const clock = new FakeClock({ start: Date.now() });
    await assert.rejects(updateTextfile(textfile, backup, clock), /another medusa process holds/);
    assert.ok(clock.sleeps.length > 10, 'it waited for the holder');
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(`${textfile}.lock`, old, old);
    await updateTextfile(textfile, backup, new FakeClock({ start: Date.now() }));
    assert.deepEqual(readdirSync(dir), ['medusa.prom']);
  });

  test('writers at the same moment lose no update', async () => {
    const textfile = join(freshDir(), 'medusa.prom');
    await Promise.all(Array.from({ length: 8 }, () => updateTextfile(textfile, backup)));
    assert.match(readFileSync(textfile, 'utf8'), /^medusa_backup_runs_total\{backup_type="full",fqdn="n1"\} 8$/m);
  });
});

describe('/metrics endpoint', () => {
  test('serves the file as it is at each scrape; 404 elsewhere, 405 for other methods', async () => {
    const textfile = join(freshDir(), 'medusa.prom');
    const endpoint = await serveMetrics({ textfile, host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${endpoint.port}`;
      const empty = await fetch(`${url}/metrics`);
      assert.equal(empty.status, 200);
      assert.equal(await empty.text(), '');
      await updateTextfile(textfile, backup);
      const full = await fetch(`${url}/metrics`);
      assert.equal(full.headers.get('content-type'), METRICS_CONTENT_TYPE);
      assert.equal(await full.text(), readFileSync(textfile, 'utf8'));
      assert.equal((await fetch(`${url}/`)).status, 404);
      assert.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      await endpoint.close();
    }
  });

  test('a port in use is refused at start', async () => {
    const textfile = join(freshDir(), 'medusa.prom');
    const first = await serveMetrics({ textfile, host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(serveMetrics({ textfile, host: '127.0.0.1', port: first.port }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
