/**
 * The real Prometheus tools of the `prometheus` test environment, as test helpers: Python's
 * `prometheus_client` text parser, `promtool check metrics` (Prometheus's own parser and linter),
 * and a Prometheus server scraping one target on loopback.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpResponds, startDaemon, stopDaemon, waitUntil } from '../environments/object-stores/processes.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through test/run.ts (environment "prometheus")`);
  return value;
}

/** A sample as prometheus_client's parser reports it. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** A metric family as prometheus_client's parser reports it (counters lose their `_total`). */
export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly documentation: string;
  readonly samples: ParsedSample[];
}

const PARSE_SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "documentation": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
json.dump(out, sys.stdout)
`;

/** Parses `text` with prometheus_client; throws with the parser's error when it refuses it. */
export function parseWithPrometheusClient(text: string): ParsedFamily[] {
  const r = spawnSync(env('MEDUSA_TEST_PROM_PYTHON'), ['-c', PARSE_SCRIPT], { input: text, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`prometheus_client refused the text (exit ${String(r.status)}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ParsedFamily[];
}

/** `promtool check metrics` on `text`: exit status and what it printed (lint problems). */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync(env('MEDUSA_TEST_PROMTOOL_BIN'), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A Prometheus server scraping one target. */
export interface PrometheusServer {
  readonly url: string;
  /** An instant query's result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus on a free loopback port, scraping `target` (`host:port`) every second. */
export async function startPrometheus(target: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'medusa-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: medusa',
    `    static_configs: [{ targets: ['${target}'] }]`,
    '',
  ].join('\n'));
  const daemon = startDaemon('prometheus', env('MEDUSA_TEST_PROMETHEUS_BIN'), [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], join(dir, 'prometheus.log'));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopDaemon(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('prometheus /-/ready', async () => (await httpResponds(`${url}/-/ready`)) && (await fetch(`${url}/-/ready`)).ok, 60_000, daemon);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    stop,
  };
}
