/**
 * A STAND-IN for the Management API for Apache Cassandra (k8ssandra's side-car), not the real
 * server: the real one is not published where this machine can fetch it (test-infra.md). It
 * serves only the two endpoints Medusa uses, on a loopback port:
 * - `POST /api/v0/ops/node/snapshots` with `{"snapshot_name": "<tag>"}` → takes that snapshot;
 * - `DELETE /api/v0/ops/node/snapshots?snapshotNames=<tag>` → clears it;
 * answering 200 `OK`, as the real API does. The snapshots are real: they are taken and cleared on
 * the harness's real Cassandra node through its real Jolokia agent (the Management API's own
 * agent works inside the JVM in the same way). Every request is recorded, and one of another shape
 * (method, path, content type, body keys, query) is answered 400 and kept in `refused`.
 *
 * With `tls`, it serves HTTPS and requires a client certificate signed by `tls.ca` (mTLS, as
 * cass-operator sets the API up); the client certificate's subject is recorded. `mode` switches
 * it into a failing server: `fail` answers 500, `hang` accepts the request and never answers.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { PemPair } from './test-pki.js';

export const SNAPSHOTS_PATH = '/api/v0/ops/node/snapshots';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string[]>;
  readonly contentType?: string;
  readonly body: string;
  /** Subject CN of the client certificate (TLS only). */
  readonly clientCertificate?: string;
}

export interface ManagementApiStandIn {
  /** `http(s)://127.0.0.1:<port>/api/v0/ops/node/snapshots`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests of a shape the real API would not get from Medusa, with the reason. */
  readonly refused: Array<{ request: RecordedRequest; reason: string }>;
  mode: 'serve' | 'fail' | 'hang';
  close(): Promise<void>;
}

async function jolokiaExec(jolokiaUrl: string, operation: string, args: unknown[]): Promise<string | undefined> {
  const res = await fetch(jolokiaUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'exec', mbean: 'org.apache.cassandra.db:type=StorageService', operation, arguments: args }),
  });
  const answer = (await res.json()) as { status?: number; error?: string };
  return res.status === 200 && answer.status === 200 ? undefined : (answer.error ?? `status ${answer.status}`);
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Checks a request's shape; the snapshot tag it names, or why it is refused. */
function shapeOf(r: RecordedRequest): { tag: string } | { refused: string } {
  if (r.path !== SNAPSHOTS_PATH) return { refused: `path ${r.path}` };
  if (r.method === 'POST') {
    if (r.contentType !== 'application/json') return { refused: `content type ${String(r.contentType)}` };
    if (Object.keys(r.query).length > 0) return { refused: 'POST with a query' };
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return { refused: 'body is not JSON' };
    }
    const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
    const tag = (body as { snapshot_name?: unknown }).snapshot_name;
    if (keys.length !== 1 || typeof tag !== 'string') return { refused: `body ${r.body}` };
    return { tag };
  }
  if (r.method === 'DELETE') {
    const names = r.query['snapshotNames'] ?? [];
    if (Object.keys(r.query).length !== 1 || names.length !== 1 || !names[0]) return { refused: `query ${JSON.stringify(r.query)}` };
    if (r.body !== '') return { refused: 'DELETE with a body' };
    return { tag: names[0] };
  }
  return { refused: `method ${r.method}` };
}

/** Starts the stand-in on a free loopback port; snapshots go through the node's Jolokia at `jolokiaUrl`. */
export async function startManagementApiStandIn(options: { jolokiaUrl: string; tls?: { server: PemPair; ca: string } }): Promise<ManagementApiStandIn> {
  const requests: RecordedRequest[] = [];
  const refused: ManagementApiStandIn['refused'] = [];
  const state = { mode: 'serve' as ManagementApiStandIn['mode'] };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const socket = req.socket as Partial<TLSSocket>;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const cn = peer?.subject?.CN;
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query,
      body: await readAll(req),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(typeof cn === 'string' ? { clientCertificate: cn } : {}),
    };
    requests.push(recorded);
    if (state.mode === 'hang') return;
    if (state.mode === 'fail') {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('java.lang.RuntimeException: stand-in told to fail');
      return;
    }
    const shape = shapeOf(recorded);
    if ('refused' in shape) {
      refused.push({ request: recorded, reason: shape.refused });
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`stand-in refuses: ${shape.refused}`);
      return;
    }
    const error = recorded.method === 'POST'
      ? await jolokiaExec(options.jolokiaUrl, 'takeSnapshot(java.lang.String,java.util.Map,[Ljava.lang.String;)', [shape.tag, {}, []])
      : await jolokiaExec(options.jolokiaUrl, 'clearSnapshot(java.lang.String,[Ljava.lang.String;)', [shape.tag, []]);
    if (error === undefined) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    else res.writeHead(500, { 'Content-Type': 'text/plain' }).end(error);
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({
        cert: readFileSync(options.tls.server.cert),
        key: readFileSync(options.tls.server.key),
        ca: readFileSync(options.tls.ca),
        requestCert: true,
        rejectUnauthorized: true,
      }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${SNAPSHOTS_PATH}`,
    requests,
    refused,
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
