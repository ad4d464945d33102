import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ChunkedDecoder, parseHead } from '../../../src/storage/backends/s3/http1-connection.js';
import { ObjectReadHandler } from '../../../src/storage/backends/s3/object-read-handler.js';
import { mapS3Error } from '../../../src/storage/backends/s3/errors.js';
import { NotFoundError, StorageError, TransientStorageError } from '../../../src/storage/errors.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../support/tls-test-cert.js';

/** What the scripted server answers to one request (raw bytes, written in pieces). */
type Script = (socket: Socket, request: string) => void;

/** A raw TCP server answering each request head with the script of its path's first segment. */
class ScriptedServer {
  readonly server: Server;
  connections = 0;
  requests: string[] = [];
  port = 0;

  constructor(
    private readonly scripts: Record<string, Script>,
    tls?: { key: string; cert: string },
  ) {
    const onConnection = (socket: Socket): void => {
      this.connections += 1;
      let pending = '';
      socket.on('data', (d: Buffer) => {
        pending += d.toString('latin1');
        let end: number;
        while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
          const head = pending.slice(0, end);
          pending = pending.slice(end + 4);
          this.requests.push(head);
          const name = /^[A-Z]+ \/([^/?]*)/.exec(head)?.[1] ?? '';
          const script = this.scripts[name];
          if (!script) socket.end('HTTP/1.1 500 No script\r\ncontent-length: 0\r\n\r\n');
          else script(socket, head);
        }
      });
      socket.on('error', () => undefined);
    };
    this.server = tls ? createTlsServer(tls, onConnection) : createServer(onConnection);
    this.server.on('tlsClientError', () => undefined);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Deterministic bytes of `n` length. */
function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

const BIG = bytes(3 * 1024 * 1024 + 12345);
const SMALL = bytes(300, 2);

function sdkRequest(port: number, path: string, extra: { query?: Record<string, string>; protocol?: string } = {}): Parameters<ObjectReadHandler['handle']>[0] {
  return {
    method: 'GET',
    protocol: extra.protocol ?? 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    query: { 'x-id': 'GetObject', ...extra.query },
    headers: { 'x-amz-test': 'yes' },
  } as unknown as Parameters<ObjectReadHandler['handle']>[0];
}

describe('S3 object reads over our HTTP/1.1 connections', () => {
  const server = new ScriptedServer({
    big: (s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\nETag: "x"\r\n\r\n`);
      // Odd pieces, so bodies straddle reads and read buffers.
      for (let at = 0; at < BIG.length; at += 77_777) s.write(BIG.subarray(at, at + 77_777));
    },
    small: (s) => s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${SMALL.length}\r\n\r\n`), SMALL])),
    chunked: (s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      s.write(`4;ext=1\r\n${SMALL.subarray(0, 4).toString('latin1')}\r\n`, 'latin1');
      s.write(`${(SMALL.length - 4).toString(16)}\r\n`);
      s.write(SMALL.subarray(4, 100));
      s.write(SMALL.subarray(100));
      s.write('\r\n0\r\nX-Trailer: t\r\n\r\n');
    },
    untilclose: (s) => {
      s.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
      s.end(SMALL);
    },
    cut: (s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`);
      s.end(BIG.subarray(0, 1000));
    },
    stall: (s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n${'x'.repeat(10)}`),
    continue: (s) => s.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: ${SMALL.length}\r\n\r\n${SMALL.toString('latin1')}`, 'latin1'),
    bye: (s) => {
      // Answers, then closes the kept-alive connection while it sits idle in the pool.
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${SMALL.length}\r\n\r\n`);
      s.write(SMALL, () => setTimeout(() => s.destroy(), 50));
    },
    bucket: (s, head) => {
      // Through the S3 client: /bucket/<key>; a key named "missing" gets S3's 404 document.
      if (head.includes('/missing')) {
        const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';
        s.write(`HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`);
      } else if (head.startsWith('HEAD')) {
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`);
      } else {
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\nETag: "abc"\r\nLast-Modified: Sat, 21 Nov 2026 10:00:00 GMT\r\n\r\n`);
        s.write(BIG);
      }
    },
  });
  const fallback = new NodeHttpHandler({});
  let handler: ObjectReadHandler;

  before(async () => {
    await server.start();
    handler = new ObjectReadHandler(fallback, { connectionTimeoutMs: 2000, readTimeoutMs: 300, tlsVerify: true });
  });
  after(async () => {
    handler.destroy();
    await server.stop();
  });

  test('a Content-Length body arrives whole, in chunks of at most 1 MiB, and the connection is reused', async () => {
    const before = server.connections;
    for (let i = 0; i < 3; i++) {
      const { response } = await handler.handle(sdkRequest(server.port, '/big/key'));
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['etag'], '"x"');
      const sizes: number[] = [];
      const body = response.body as Readable;
      body.on('data', (c: Buffer) => sizes.push(c.length));
      const all = await collect(body);
      assert.equal(createHash('md5').update(all).digest('hex'), createHash('md5').update(BIG).digest('hex'));
      assert.ok(Math.max(...sizes) <= 1024 * 1024);
      const small = await handler.handle(sdkRequest(server.port, '/small/k'));
      assert.deepEqual(await collect(small.response.body as Readable), SMALL);
    }
    assert.equal(server.connections - before, 1, 'six requests, one connection');
  });

  test('the request carries the SDK-built path, query and headers, and a Host', () => {
    const head = server.requests.find((r) => r.startsWith('GET /big/key'));
    assert.ok(head);
    assert.match(head, /^GET \/big\/key\?x-id=GetObject HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nx-amz-test: yes\r\n/);
    assert.match(head, new RegExp(`\\r\\nhost: 127\\.0\\.0\\.1:${server.port}`));
  });

  test('chunked and close-delimited bodies, and a 100 Continue before the answer', async () => {
    for (const path of ['/chunked/k', '/untilclose/k', '/continue/k']) {
      const { response } = await handler.handle(sdkRequest(server.port, path));
      assert.equal(response.statusCode, 200, path);
      assert.deepEqual(await collect(response.body as Readable), SMALL, path);
    }
  });

  test('a body cut short fails the stream with a retryable socket error', async () => {
    const { response } = await handler.handle(sdkRequest(server.port, '/cut/k'));
    await assert.rejects(collect(response.body as Readable), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ECONNRESET');
      assert.ok(mapS3Error('s3', 'get k', err) instanceof TransientStorageError);
      return true;
    });
  });

  test('a stalled body fails after the read timeout (ETIMEDOUT, retryable)', async () => {
    const { response } = await handler.handle(sdkRequest(server.port, '/stall/k'));
    await assert.rejects(collect(response.body as Readable), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ETIMEDOUT');
      assert.ok(mapS3Error('s3', 'get k', err) instanceof TransientStorageError);
      return true;
    });
  });

  test('aborting stops a download in the middle', async () => {
    const abort = new AbortController();
    const { response } = await handler.handle(sdkRequest(server.port, '/stall/k'), { abortSignal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(collect(response.body as Readable), { name: 'AbortError' });
    await assert.rejects(handler.handle(sdkRequest(server.port, '/small/k'), { abortSignal: abort.signal }), { name: 'AbortError' });
  });

  test('a pooled connection the server closed is replaced transparently', async () => {
    const first = await handler.handle(sdkRequest(server.port, '/bye/k'));
    assert.deepEqual(await collect(first.response.body as Readable), SMALL);
    await new Promise((r) => setTimeout(r, 150));
    const second = await handler.handle(sdkRequest(server.port, '/small/k'));
    assert.deepEqual(await collect(second.response.body as Readable), SMALL);
  });

  test('through the S3 client: GetObject streams the body; a missing key is NoSuchKey; HEAD takes the SDK path', async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${server.port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      requestHandler: new ObjectReadHandler(new NodeHttpHandler({}), { connectionTimeoutMs: 2000, readTimeoutMs: 2000, tlsVerify: true }),
    });
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'dir/obj' }));
      assert.equal(out.ETag, '"abc"');
      assert.equal(out.ContentLength, BIG.length);
      assert.deepEqual(await collect(out.Body as Readable), BIG);
      const signed = [...server.requests].reverse().find((r) => r.startsWith('GET /bucket/dir/obj'));
      assert.match(signed ?? '', /\r\nauthorization: AWS4-HMAC-SHA256 /i);
      await assert.rejects(client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'missing' })), (err: Error) => {
        assert.equal(err.name, 'NoSuchKey');
        assert.ok(mapS3Error('s3', 'get missing', err) instanceof NotFoundError);
        return true;
      });
      const head = await client.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'dir/obj' }));
      assert.equal(head.ContentLength, BIG.length);
    } finally {
      client.destroy();
    }
  });
});

describe('S3 object reads over https', () => {
  const server = new ScriptedServer({
    big: (s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`);
      s.write(BIG);
    },
  }, { key: TEST_TLS_KEY, cert: TEST_TLS_CERT });
  before(() => server.start());
  after(() => server.stop());

  test('TLS without certificate checks (ssl_verify = False): bodies arrive whole, the connection is reused', async () => {
    const handler = new ObjectReadHandler(new NodeHttpHandler({}), { connectionTimeoutMs: 2000, readTimeoutMs: 2000, tlsVerify: false });
    try {
      for (let i = 0; i < 2; i++) {
        const { response } = await handler.handle(sdkRequest(server.port, '/big/k', { protocol: 'https:' }));
        assert.deepEqual(await collect(response.body as Readable), BIG);
      }
      assert.equal(server.connections, 1);
    } finally {
      handler.destroy();
    }
  });

  test('a self-signed certificate is refused when verified, with the TLS advice', async () => {
    const handler = new ObjectReadHandler(new NodeHttpHandler({}), { connectionTimeoutMs: 2000, readTimeoutMs: 2000, tlsVerify: true });
    try {
      await assert.rejects(handler.handle(sdkRequest(server.port, '/big/k', { protocol: 'https:' })), (err: NodeJS.ErrnoException) => {
        const mapped = mapS3Error('s3', 'get k', err);
        assert.ok(mapped instanceof StorageError && !(mapped instanceof TransientStorageError), String(mapped));
        assert.match(mapped.message, /TLS certificate refused/);
        return true;
      });
    } finally {
      handler.destroy();
    }
  });
});

describe('HTTP/1.1 response parsing', () => {
  test('status line, repeated headers, keep-alive rules', () => {
    const h = parseHead('HTTP/1.1 206 Partial Content\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 5');
    assert.equal(h.statusCode, 206);
    assert.equal(h.reason, 'Partial Content');
    assert.equal(h.headers['x-a'], '1, 2');
    assert.equal(h.keepAlive, true);
    assert.equal(parseHead('HTTP/1.1 200 OK\r\nConnection: close').keepAlive, false);
    assert.equal(parseHead('HTTP/1.0 200 OK').keepAlive, false);
    assert.equal(parseHead('HTTP/1.0 200 OK\r\nConnection: keep-alive').keepAlive, true);
    assert.throws(() => parseHead('SPDY nonsense'), /malformed HTTP status line/);
  });

  test('chunked decoding across arbitrary splits', () => {
    const encoded = Buffer.from('3\r\nabc\r\na;x=y\r\n0123456789\r\n0\r\nT: 1\r\n\r\n', 'latin1');
    for (let split = 1; split < encoded.length; split++) {
      const d = new ChunkedDecoder();
      let out = '';
      const take = (from: number, to: number): void => {
        const used = d.feed(encoded, from, to, (a, b) => (out += encoded.toString('latin1', a, b)));
        assert.equal(used, to);
      };
      take(0, split);
      take(split, encoded.length);
      assert.equal(out, 'abc0123456789', `split at ${split}`);
      assert.ok(d.finished);
    }
    assert.throws(() => new ChunkedDecoder().feed(Buffer.from('zz\r\n'), 0, 4, () => undefined), /malformed chunk size/);
  });
});
