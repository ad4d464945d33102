/**
 * An S3 object body that breaks in the middle, against a loopback HTTP server standing in for the
 * store: the production stack resumes it with a range read from the first missing byte, and
 * without retries the failure reaches the caller mapped (one line naming the provider), never as
 * a raw socket error.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { openStorage } from '../../../src/storage/open.js';
import { StorageError } from '../../../src/storage/errors.js';
import type { StorageBackend } from '../../../src/storage/types.js';
import { storageSection, tempKeyFile } from '../../support/object-store-env.js';

const OBJECT = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => (i * 31) & 0xff));
/** The first answer for the whole object stops after this many bytes and resets the connection. */
const BREAK_AT = 300_000;

describe('s3: a body that breaks mid-way', () => {
  let server: Server;
  let port = 0;
  const ranges: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const range = req.headers.range;
      ranges.push(range ?? '');
      if (range === undefined) {
        res.writeHead(200, { 'content-length': OBJECT.length, etag: '"x"' });
        res.write(OBJECT.subarray(0, BREAK_AT), () => res.socket?.destroy());
        return;
      }
      const start = Number(/^bytes=(\d+)-$/.exec(range)?.[1]);
      res.writeHead(206, { 'content-length': OBJECT.length - start, 'content-range': `bytes ${start}-${OBJECT.length - 1}/${OBJECT.length}`, etag: '"x"' });
      res.end(OBJECT.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const open = (maxAttempts: number): Promise<StorageBackend> => {
    const keyFile = tempKeyFile('credentials', '[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-a-real-secret\n');
    const storage = storageSection({ storage_provider: 's3_compatible', bucket_name: 'b', host: '127.0.0.1', port, secure: false, key_file: keyFile });
    return openStorage({ storage }, { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts } });
  };
  const readAll = async (backend: StorageBackend): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of await backend.get('obj')) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  test('is resumed from the first missing byte', async () => {
    ranges.length = 0;
    const backend = await open(3);
    try {
      assert.ok((await readAll(backend)).equals(OBJECT));
      assert.equal(ranges[0], '');
      assert.match(ranges[1] ?? '', /^bytes=\d+-$/);
      assert.ok(Number(/\d+/.exec(ranges[1] ?? '')?.[0]) >= BREAK_AT - 64 * 1024, `resumed near the break: ${ranges[1]}`);
    } finally {
      await backend.close();
    }
  });

  test('without retries fails with a mapped one-line error', async () => {
    const backend = await open(1);
    try {
      const err = await readAll(backend).then(() => new Error('read succeeded'), (e: unknown) => e as Error);
      assert.ok(err instanceof StorageError, `a StorageError, got ${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /^s3_compatible: get /);
      assert.ok(!err.message.includes('\n'));
    } finally {
      await backend.close();
    }
  });
});
