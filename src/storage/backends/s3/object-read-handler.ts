/**
 * The S3 client's HTTP handler: GetObject (object downloads, the bulk of a restore's bytes) goes
 * over our own keep-alive HTTP/1.1 connections (`http1-connection.ts`); every other request
 * (uploads, HEAD, listings, deletes) through the SDK's `NodeHttpHandler`, unchanged.
 *
 * Why: Node's `http` client hands a body over as one freshly allocated chunk per socket read
 * (16-64 KiB), each parsed, wrapped and emitted on its own. Measured on this 2-core machine against
 * radosgw (1.87 GB in 446 objects, 4 in flight), receiving alone cost the client 5.5 s of CPU
 * through the SDK, as much as the MD5 every download also needs, and the CPU is shared with the
 * store: downloads ran at a third to a half of `rclone copy`'s speed. Reading into 1 MiB buffers
 * and handing out views of them cuts that to about a fifth (see `bench/s3-vs-rclone.ts`).
 *
 * Everything else stays the SDK's: it builds and signs the request (so SigV4, SSE-C headers and
 * ranges are exactly what it would send), runs its retries, and parses error bodies from the
 * stream we return. A request is recognised as GetObject by the `x-id=GetObject` marker the SDK
 * puts in its query; a request without it simply takes the SDK's path.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Http1Connection, Http1Error, type Http1Origin, type Http1Response, type Http1Timeouts } from './http1-connection.js';

type SdkRequest = Parameters<NodeHttpHandler['handle']>[0];
type SdkHandlerOptions = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;
type SdkResponse = Awaited<ReturnType<NodeHttpHandler['handle']>>;

/** Idle pooled connections kept per origin (more are closed once their response ends). */
const MAX_IDLE_PER_ORIGIN = 64;
/** An idle connection is closed after this long (stores close idle keep-alive sockets too). */
const IDLE_CLOSE_MS = 4_000;

/** Settings of the handler. */
export interface ObjectReadHandlerOptions {
  /** Milliseconds to establish a connection. */
  readonly connectionTimeoutMs: number;
  /** Milliseconds of socket inactivity before a download fails (`[storage] read_timeout`). */
  readonly readTimeoutMs: number;
  /** https: verify the store's certificate. */
  readonly tlsVerify: boolean;
}

/**
 * An SDK request handler (pass it as `requestHandler`): GetObject over pooled `Http1Connection`s,
 * the rest through `fallback`. `destroy` closes both.
 */
export class ObjectReadHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly idle = new Map<string, Array<{ connection: Http1Connection; timer: NodeJS.Timeout }>>();
  private readonly timeouts: Http1Timeouts;
  private destroyed = false;

  constructor(
    private readonly fallback: NodeHttpHandler,
    private readonly options: ObjectReadHandlerOptions,
  ) {
    this.timeouts = { connectMs: options.connectionTimeoutMs, idleMs: options.readTimeoutMs };
  }

  /** Sends `request`; the SDK's handler contract. */
  handle(request: SdkRequest, handlerOptions: SdkHandlerOptions = {}): Promise<SdkResponse> {
    if (!isGetObject(request)) return this.fallback.handle(request, handlerOptions);
    return this.getObject(request, handlerOptions.abortSignal as AbortSignal | undefined);
  }

  /** Passed on to the SDK's handler (the client configures it through these). */
  updateHttpClientConfig(key: Parameters<NodeHttpHandler['updateHttpClientConfig']>[0], value: Parameters<NodeHttpHandler['updateHttpClientConfig']>[1]): void {
    this.fallback.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.fallback.httpHandlerConfigs();
  }

  /** Closes every connection, pooled or not yet returned, and the SDK handler's agents. */
  destroy(): void {
    this.destroyed = true;
    for (const list of this.idle.values()) {
      for (const { connection, timer } of list) {
        clearTimeout(timer);
        connection.destroy();
      }
    }
    this.idle.clear();
    this.fallback.destroy();
  }

  private async getObject(request: SdkRequest, signal: AbortSignal | undefined): Promise<SdkResponse> {
    const origin = originOf(request, this.options.tlsVerify);
    const head = requestHead(request);
    const key = `${origin.protocol}//${origin.hostname}:${origin.port}`;
    let response: Http1Response;
    const pooled = this.takeIdle(key);
    try {
      response = await this.exchange(pooled ?? this.open(origin), key, head, signal);
    } catch (err) {
      // A kept-alive socket the store closed meanwhile fails before any answer: GET is
      // idempotent, so it is sent once more on a new connection.
      if (!pooled || !(err instanceof Http1Error) || !err.beforeResponse || signal?.aborted) throw err;
      response = await this.exchange(this.open(origin), key, head, signal);
    }
    return { response: { statusCode: response.statusCode, reason: response.reason, headers: response.headers, body: response.body } };
  }

  private open(origin: Http1Origin): Http1Connection {
    return new Http1Connection(origin, this.timeouts);
  }

  /** Runs one exchange on `connection`, which goes back to the pool once its response has arrived. */
  private exchange(connection: Http1Connection, key: string, head: string, signal: AbortSignal | undefined): Promise<Http1Response> {
    connection.onIdle = () => {
      connection.onIdle = undefined;
      this.putIdle(key, connection);
    };
    return connection.request(head, signal);
  }

  private takeIdle(key: string): Http1Connection | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const entry = list.pop();
      if (!entry) break;
      clearTimeout(entry.timer);
      if (entry.connection.idle) {
        entry.connection.onClose = undefined;
        return entry.connection;
      }
    }
    return undefined;
  }

  private putIdle(key: string, connection: Http1Connection): void {
    const list = this.idle.get(key) ?? [];
    if (this.destroyed || list.length >= MAX_IDLE_PER_ORIGIN) {
      connection.destroy();
      return;
    }
    connection.setRef(false);
    const entry = { connection, timer: setTimeout(() => connection.destroy(), IDLE_CLOSE_MS).unref() };
    connection.onClose = () => {
      clearTimeout(entry.timer);
      const at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
    };
    list.push(entry);
    this.idle.set(key, list);
  }
}

/** The SDK marks each request with its operation in the query (`x-id=GetObject`). */
function isGetObject(request: SdkRequest): boolean {
  return request.method === 'GET' && request.query?.['x-id'] === 'GetObject' && (request.protocol === 'http:' || request.protocol === 'https:');
}

function originOf(request: SdkRequest, tlsVerify: boolean): Http1Origin {
  const https = request.protocol === 'https:';
  const hostname = request.hostname.startsWith('[') && request.hostname.endsWith(']') ? request.hostname.slice(1, -1) : request.hostname;
  return { protocol: https ? 'https:' : 'http:', hostname, port: request.port ?? (https ? 443 : 80), ...(https && { rejectUnauthorized: tlsVerify }) };
}

/** The request line and headers, as the SDK built and signed them (a GET has no body). */
export function requestHead(request: SdkRequest): string {
  const query = queryString(request.query ?? {});
  let head = `${request.method} ${request.path}${query ? `?${query}` : ''} HTTP/1.1\r\n`;
  let hasHost = false;
  for (const [name, value] of Object.entries(request.headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} holds a line break`);
    if (name.toLowerCase() === 'host') hasHost = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasHost) {
    const defaultPort = request.protocol === 'https:' ? 443 : 80;
    head += `host: ${request.hostname}${request.port !== undefined && request.port !== defaultPort ? `:${request.port}` : ''}\r\n`;
  }
  return `${head}\r\n`;
}

/** The query in the form the SDK sends it: keys sorted, RFC 3986 percent-encoding. */
function queryString(query: Record<string, string | (string | null)[] | null>): string {
  const parts: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const value = query[name];
    const key = strictEncode(name);
    if (Array.isArray(value)) {
      for (const v of value) parts.push(`${key}=${strictEncode(v ?? '')}`);
    } else if (typeof value === 'string') {
      parts.push(`${key}=${strictEncode(value)}`);
    } else {
      parts.push(key);
    }
  }
  return parts.join('&');
}

/** `encodeURIComponent` plus the sub-delimiters it leaves alone (`!'()*`), as SigV4 expects. */
function strictEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
