/**
 * The `/metrics` endpoint (what the agent serves with `[monitoring] prometheus_http_port`) scraped
 * by a real Prometheus server on loopback: the target is healthy, and a query finds the series the
 * textfile holds, with their labels, also after the file changed between scrapes.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { serveMetrics } from '../../src/monitoring/prometheus-http.js';
import { updateTextfile } from '../../src/monitoring/prometheus.js';
import type { MetricEvent } from '../../src/monitoring/types.js';
import { waitUntil } from '../environments/object-stores/processes.js';
import { scratchDir } from '../support/cli.js';
import { dashboardExpressions } from '../support/grafana-dashboard.js';
import { startPrometheus } from '../support/prometheus-tools.js';

const scratch = scratchDir('medusa-prom-scrape-');
after(() => scratch.cleanup());

const event = (name: string, uploadedBytes: number): MetricEvent => ({
  kind: 'backup', fqdn: 'node1', mode: 'full', backupName: name, started: Date.now() - 60_000, finished: Date.now(), ok: true,
  figures: { uploadedFiles: 4, uploadedBytes, reusedFiles: 0, reusedBytes: 0, totalFiles: 4, totalBytes: uploadedBytes },
});

test('Prometheus scrapes /metrics and sees the textfile series, then their new values', async () => {
  mkdirSync(join(scratch.dir, 'tf'));
  const textfile = join(scratch.dir, 'tf', 'medusa.prom');
  await updateTextfile(textfile, event('b1', 1000));
  const endpoint = await serveMetrics({ textfile, host: '127.0.0.1', port: 0 });
  const prometheus = await startPrometheus(`127.0.0.1:${endpoint.port}`).catch(async (err: unknown) => {
    await endpoint.close();
    throw err;
  });
  try {
    const expectUploaded = async (bytes: number): Promise<void> => {
      await waitUntil(`Prometheus sees medusa_backup_uploaded_bytes_total = ${bytes}`, async () => {
        const r = await prometheus.query('medusa_backup_uploaded_bytes_total');
        return r.length === 1 && r[0]!.value[1] === String(bytes);
      }, 60_000);
    };
    await expectUploaded(1000);
    const up = await prometheus.query('up{job="medusa"}');
    assert.equal(up[0]?.value[1], '1', 'the target is healthy');
    const info = await prometheus.query('medusa_backup_last_info');
    assert.deepEqual(
      { ...info[0]?.metric },
      { __name__: 'medusa_backup_last_info', backup_name: 'b1', backup_type: 'full', fqdn: 'node1', instance: `127.0.0.1:${endpoint.port}`, job: 'medusa' },
    );
    await updateTextfile(textfile, event('b2', 500));
    await expectUploaded(1500);
    const runs = await prometheus.query('medusa_backup_runs_total{fqdn="node1",backup_type="full"}');
    assert.equal(runs[0]?.value[1], '2');
    // Every expression of the Grafana dashboard is valid PromQL (query() throws otherwise).
    for (const { panel, expr } of dashboardExpressions()) {
      await prometheus.query(expr).catch((err: unknown) => assert.fail(`dashboard panel "${panel}": ${String(err)}`));
    }
    const age = await prometheus.query('time() - medusa_backup_last_success_timestamp_seconds{fqdn=~".*"}');
    assert.ok(Number(age[0]?.value[1]) >= 0 && Number(age[0]?.value[1]) < 600, 'the dashboard\'s age panel reads a fresh backup');
  } finally {
    await prometheus.stop();
    await endpoint.close();
  }
});
