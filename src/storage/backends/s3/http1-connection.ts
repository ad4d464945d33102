/**
 * One keep-alive HTTP/1.1 connection that reads straight into large buffers: the transport of
 * object downloads (see `object-read-handler.ts` for why Node's `http` module is not used there).
 *
 * Socket reads land in 1 MiB buffers handed to the socket with `onread`, each read right after the
 * previous one, so a response body leaves as few ~1 MiB views of those buffers (no copy, no
 * per-read allocation), instead of one freshly allocated 16-64 KiB chunk per read and per
 * parser call. A buffer region is handed out once and never written again: reads continue after
 * it, and a full buffer is replaced by a new one, so the consumer may keep a chunk as long as it
 * likes.
 *
 * One exchange at a time (no pipelining). Bodies framed by Content-Length, chunked encoding or
 * the end of the connection are read; the connection is reusable after a complete
 * Content-Length or chunked body unless the server said `Connection: close`.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/** Size of each read buffer; chunks of a body are at most this large. */
export const READ_BUFFER_BYTES = 1024 * 1024;
/** Largest response head accepted (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Body bytes buffered for a slow consumer before reading from the socket pauses. */
const BODY_HIGH_WATER_MARK = 2 * READ_BUFFER_BYTES;

/** Where to connect. */
export interface Http1Origin {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: number;
  /** https only: verify the server's certificate. */
  readonly rejectUnauthorized?: boolean;
}

/** Timeouts of a connection. */
export interface Http1Timeouts {
  /** Milliseconds to establish the connection. */
  readonly connectMs: number;
  /** Milliseconds of socket inactivity (no byte either way) before an exchange fails. */
  readonly idleMs: number;
}

/** A response whose head has arrived; `body` streams the rest. */
export interface Http1Response {
  readonly statusCode: number;
  readonly reason: string;
  /** Header names in lower case; repeated headers joined with `, `. */
  readonly headers: Record<string, string>;
  readonly body: Readable;
}

/**
 * A socket-level failure, with the Node error code the storage layer classifies (`ECONNRESET`,
 * `ETIMEDOUT`, ...). `beforeResponse` is true when no byte of the answer had arrived, so sending
 * the same idempotent request again is safe.
 */
export class Http1Error extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly beforeResponse: boolean,
  ) {
    super(message);
    this.name = code === 'ETIMEDOUT' ? 'TimeoutError' : 'Error';
  }
}

type BodyFraming = { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

/** The response body: chunks pushed by the connection, reading paused while the consumer lags. */
class ResponseBody extends Readable {
  constructor(private readonly connection: Http1Connection) {
    super({ highWaterMark: BODY_HIGH_WATER_MARK });
  }

  override _read(): void {
    this.connection.resumeReading();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // Dropped before its end: the rest of the body would arrive on this socket, so it is closed.
    this.connection.bodyDestroyed(this);
    callback(err);
  }
}

/** State of the exchange in progress. */
interface Exchange {
  resolve(response: Http1Response): void;
  reject(err: Error): void;
  /** Response head bytes gathered so far (until the blank line). */
  head: Buffer | undefined;
  body: ResponseBody | undefined;
  framing: BodyFraming;
  /** Chunked framing: the decoder's position. */
  chunk: ChunkedDecoder | undefined;
  keepAlive: boolean;
  gotBytes: boolean;
  done: () => void;
}

/**
 * An HTTP/1.1 connection; `request` sends one request without a body and resolves when the
 * response head has arrived.
 */
export class Http1Connection {
  private readonly socket: Socket;
  private buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** Where the next read lands in `buffer`. */
  private fill = 0;
  /** Start of body bytes read into `buffer` but not yet handed to the body stream. */
  private pendingStart = 0;
  private exchange: Exchange | undefined;
  private connected = false;
  private closed = false;
  private readingPaused = false;
  /** Called once when the connection can no longer be used (closed by either side or failed). */
  onClose: (() => void) | undefined;
  /**
   * Called when a response has fully arrived and the connection can take the next request (its
   * body may still be buffered, unread, in the body stream).
   */
  onIdle: (() => void) | undefined;

  constructor(origin: Http1Origin, private readonly timeouts: Http1Timeouts) {
    const onread = { buffer: () => this.buffer.subarray(this.fill), callback: (n: number) => this.onData(n) };
    const options = { host: origin.hostname, port: origin.port, onread };
    this.socket = origin.protocol === 'https:'
      ? tlsConnect({ ...options, servername: isIpLiteral(origin.hostname) ? '' : origin.hostname, rejectUnauthorized: origin.rejectUnauthorized ?? true, ALPNProtocols: ['http/1.1'] })
      : netConnect(options);
    this.socket.setNoDelay(true);
    this.socket.setTimeout(timeouts.connectMs);
    this.socket.once(origin.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.socket.setTimeout(timeouts.idleMs);
    });
    this.socket.on('timeout', () => {
      const what = this.connected ? `no data for ${this.timeouts.idleMs} ms` : `no connection within ${this.timeouts.connectMs} ms`;
      this.fail(new Http1Error(`${origin.hostname}:${origin.port}: ${what}`, 'ETIMEDOUT', !this.exchange?.gotBytes));
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.fail(new Http1Error(`${origin.hostname}:${origin.port}: ${err.message}`, err.code ?? 'ECONNRESET', !this.exchange?.gotBytes));
    });
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.onEnd());
    // No 'data' listener ever: with `onread` the bytes go to `onData`; flowing mode lets 'end' fire.
    this.socket.resume();
  }

  /** True while no exchange is running and the socket is open (it can take a request). */
  get idle(): boolean {
    return !this.exchange && !this.closed;
  }

  /** Keeps (or stops keeping) the process alive for this socket (an idle pooled socket must not). */
  setRef(ref: boolean): void {
    if (ref) this.socket.ref();
    else this.socket.unref();
  }

  /**
   * Sends `head` (request line and headers, ending with the blank line; no body) and resolves with
   * the response head. Aborting `signal` closes the connection and rejects (or fails the body).
   */
  request(head: string, signal?: AbortSignal): Promise<Http1Response> {
    if (!this.idle) return Promise.reject(new Error('HTTP/1.1 connection is busy or closed'));
    return new Promise<Http1Response>((resolve, reject) => {
      const onAbort = (): void => {
        const reason: unknown = signal?.reason;
        const err = reason instanceof Error ? reason : Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
        this.fail(err);
      };
      const exchange: Exchange = {
        resolve,
        reject,
        head: undefined,
        body: undefined,
        framing: { kind: 'none' },
        chunk: undefined,
        keepAlive: false,
        gotBytes: false,
        done: () => signal?.removeEventListener('abort', onAbort),
      };
      this.exchange = exchange;
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.socket.ref();
      this.socket.write(head, 'latin1');
    });
  }

  /** Closes the socket; an exchange in progress fails. */
  destroy(): void {
    this.fail(new Http1Error('connection closed', 'ECONNRESET', !this.exchange?.gotBytes));
  }

  /** The consumer wants more body bytes. */
  resumeReading(): void {
    if (this.readingPaused && !this.closed) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  /** The body stream was destroyed by its consumer. */
  bodyDestroyed(body: ResponseBody): void {
    const exchange = this.exchange;
    if (exchange?.body === body) {
      exchange.body = undefined;
      this.fail(new Http1Error('response body dropped before its end', 'ECONNRESET', false));
    }
  }

  /** `n` new bytes at `buffer[fill, fill + n)`; returns false to pause reading. */
  private onData(n: number): boolean {
    const start = this.fill;
    this.fill += n;
    const exchange = this.exchange;
    if (!exchange) {
      // Bytes nobody asked for (a server talking out of turn): the connection cannot be trusted.
      this.fail(new Http1Error('unexpected data on an idle connection', 'ECONNRESET', true));
      return false;
    }
    exchange.gotBytes = true;
    let keepReading = true;
    try {
      keepReading = this.consume(exchange, start);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    if (this.fill === this.buffer.length) {
      keepReading = this.flushPending() && keepReading;
      this.buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      this.fill = 0;
      this.pendingStart = 0;
    }
    if (!keepReading) this.readingPaused = true;
    return keepReading;
  }

  /** Handles `buffer[start, fill)`; returns false when the body stream asks to pause. */
  private consume(exchange: Exchange, start: number): boolean {
    let at = start;
    while (at < this.fill) {
      if (this.exchange !== exchange) throw new Http1Error('unexpected data after a complete response', 'ECONNRESET', false);
      if (!exchange.body) {
        at = this.consumeHead(exchange, at);
        continue;
      }
      const framing = exchange.framing;
      if (framing.kind === 'length') {
        const take = Math.min(framing.remaining, this.fill - at);
        framing.remaining -= take;
        at += take;
        if (framing.remaining === 0) {
          this.flushPending(at);
          this.finish(exchange);
        }
      } else if (framing.kind === 'close') {
        at = this.fill;
      } else if (framing.kind === 'chunked') {
        at = this.consumeChunked(exchange, at);
      } else {
        throw new Http1Error('unexpected data after a response without a body', 'ECONNRESET', false);
      }
    }
    return !exchange.body || exchange.body.readableLength < BODY_HIGH_WATER_MARK;
  }

  /** Gathers head bytes from `at`; once the head is complete, starts the body. Returns the next offset. */
  private consumeHead(exchange: Exchange, at: number): number {
    const piece = this.buffer.subarray(at, this.fill);
    const previous = exchange.head?.length ?? 0;
    const head = exchange.head ? Buffer.concat([exchange.head, piece]) : piece;
    const end = head.indexOf('\r\n\r\n', Math.max(0, previous - 3));
    if (end < 0) {
      if (head.length > MAX_HEAD_BYTES) throw new Http1Error(`response head larger than ${MAX_HEAD_BYTES} bytes`, 'ECONNRESET', false);
      exchange.head = Buffer.from(head); // a copy: the read buffer region is not ours to keep
      this.pendingStart = this.fill;
      return this.fill;
    }
    const next = at + (end + 4 - previous);
    exchange.head = undefined;
    const parsed = parseHead(head.subarray(0, end).toString('latin1'));
    if (parsed.statusCode >= 100 && parsed.statusCode < 200) {
      // An informational answer (100 Continue): the real one follows.
      this.pendingStart = next;
      return next;
    }
    exchange.framing = framingOf(parsed.statusCode, parsed.headers);
    exchange.keepAlive = parsed.keepAlive && exchange.framing.kind !== 'close';
    if (exchange.framing.kind === 'chunked') exchange.chunk = new ChunkedDecoder();
    const body = new ResponseBody(this);
    exchange.body = body;
    this.pendingStart = next;
    exchange.resolve({ statusCode: parsed.statusCode, reason: parsed.reason, headers: parsed.headers, body });
    if (exchange.framing.kind === 'none' || (exchange.framing.kind === 'length' && exchange.framing.remaining === 0)) this.finish(exchange);
    return next;
  }

  private consumeChunked(exchange: Exchange, at: number): number {
    const decoder = exchange.chunk as ChunkedDecoder;
    const body = exchange.body as ResponseBody;
    // Framing bytes sit between data runs: each run is handed out as its own view.
    const next = decoder.feed(this.buffer, at, this.fill, (from, to) => {
      if (to > from) body.push(this.buffer.subarray(from, to));
    });
    this.pendingStart = next;
    if (decoder.finished) this.finish(exchange);
    return next;
  }

  /** Hands body bytes `buffer[pendingStart, end)` to the body stream. */
  private flushPending(end = this.fill): boolean {
    const body = this.exchange?.body;
    const framing = this.exchange?.framing.kind;
    let more = true;
    if (body && (framing === 'length' || framing === 'close') && end > this.pendingStart) {
      more = body.push(this.buffer.subarray(this.pendingStart, end));
    }
    this.pendingStart = end;
    return more;
  }

  /** The whole body has arrived: end the stream, and make the connection reusable (or close it). */
  private finish(exchange: Exchange): void {
    this.exchange = undefined;
    exchange.done();
    exchange.body?.push(null);
    if (!exchange.keepAlive) {
      this.close();
      return;
    }
    this.socket.unref();
    this.onIdle?.();
  }

  private onEnd(): void {
    const exchange = this.exchange;
    if (exchange?.body && exchange.framing.kind === 'close') {
      this.flushPending();
      this.finish(exchange);
    }
    this.fail(new Http1Error('the server closed the connection', 'ECONNRESET', !exchange?.gotBytes));
  }

  /** Fails the exchange in progress (if any) with `err` and closes the connection. */
  private fail(err: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    if (exchange) {
      exchange.done();
      if (exchange.body) exchange.body.destroy(err);
      else exchange.reject(err);
    }
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose?.();
  }
}

interface ParsedHead {
  statusCode: number;
  reason: string;
  headers: Record<string, string>;
  keepAlive: boolean;
}

/** Parses a status line and header lines (`head` without the final blank line). */
export function parseHead(head: string): ParsedHead {
  const lines = head.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!status) throw new Http1Error(`malformed HTTP status line: ${JSON.stringify((lines[0] ?? '').slice(0, 100))}`, 'ECONNRESET', false);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Http1Error(`malformed HTTP header line: ${JSON.stringify(line.slice(0, 100))}`, 'ECONNRESET', false);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const connection = (headers['connection'] ?? '').toLowerCase();
  const http11 = status[1] === '1';
  const keepAlive = http11 ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
  return { statusCode: Number(status[2]), reason: status[3] ?? '', headers, keepAlive };
}

/** How the body of a response to a GET is delimited (RFC 9112 §6.3). */
function framingOf(statusCode: number, headers: Record<string, string>): BodyFraming {
  if (statusCode === 204 || statusCode === 304) return { kind: 'none' };
  const encoding = headers['transfer-encoding'];
  if (encoding !== undefined) {
    if (/(?:^|,)\s*chunked\s*$/i.test(encoding)) return { kind: 'chunked' };
    return { kind: 'close' };
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw new Http1Error(`malformed Content-Length: ${JSON.stringify(length.slice(0, 40))}`, 'ECONNRESET', false);
    return { kind: 'length', remaining: Number(length) };
  }
  return { kind: 'close' };
}

/** Incremental decoder of `Transfer-Encoding: chunked` (chunk extensions and trailers ignored). */
export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;

  get finished(): boolean {
    return this.state === 'done';
  }

  /**
   * Decodes `bytes[from, to)`, calling `data(start, end)` for each run of content bytes (offsets in
   * `bytes`). Returns the offset after the last byte used (`to`, or less once finished).
   */
  feed(bytes: Buffer, from: number, to: number, data: (start: number, end: number) => void): number {
    let at = from;
    while (at < to && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, to - at);
        data(at, at + take);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const lf = bytes.indexOf(0x0a, at);
      const end = lf < 0 || lf >= to ? to : lf;
      this.line += bytes.toString('latin1', at, end);
      if (this.line.length > 4096) throw new Http1Error('malformed chunked body (line too long)', 'ECONNRESET', false);
      if (end === to) return to;
      at = end + 1;
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'size') {
        const size = /^([0-9a-fA-F]+)(?:;.*)?$/.exec(line.trim());
        if (!size?.[1]) throw new Http1Error(`malformed chunk size line: ${JSON.stringify(line.slice(0, 40))}`, 'ECONNRESET', false);
        this.remaining = parseInt(size[1], 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data-end') {
        if (line !== '') throw new Http1Error('malformed chunked body (no line end after a chunk)', 'ECONNRESET', false);
        this.state = 'size';
      } else if (line === '') {
        this.state = 'done';
      }
    }
    return at;
  }
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
