/**
 * An HTTP `/metrics` endpoint serving the Prometheus textfile (`[monitoring] prometheus_textfile`)
 * as it is at each scrape, for a long-running process (the gRPC agent) that Prometheus scrapes
 * directly instead of through node_exporter. Because it serves the file, it shows the same series
 * whichever process wrote them: the agent's own backups and purges, and CLI runs on the host.
 *
 * `GET` / `HEAD /metrics` answer 200 with the text format 0.0.4 (an empty body before the first
 * write); other paths 404, other methods 405; a file that cannot be read 500 with the reason.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readTextfile } from './prometheus.js';

/** The content type Prometheus expects for the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsEndpointOptions {
  /** The textfile to serve. */
  readonly textfile: string;
  /** Port to listen on (`[monitoring] prometheus_http_port`); 0 picks a free one. */
  readonly port: number;
  /** Address to bind (`[monitoring] prometheus_http_host`). */
  readonly host: string;
}

/** A listening endpoint. */
export interface MetricsEndpoint {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

async function answer(textfile: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
    return;
  }
  let body: string;
  try {
    body = await readTextfile(textfile);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`Cannot read ${textfile}: ${(err as Error).message}\n`);
    return;
  }
  res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Starts the endpoint; rejects when the address cannot be bound (port in use, bad host). */
export async function serveMetrics(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  const server = createServer((req, res) => {
    void answer(options.textfile, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
