/**
 * The storage conformance suite: one set of cases every backend, and every wrapper stack, must pass.
 * It checks the contract written on `StorageBackend` (src/storage/types.ts), nothing provider-specific.
 *
 * Usage, in `test/conformance/<name>.test.ts`:
 *
 *   describeStorageConformance('s3 on radosgw', async () => {
 *     const backend = await createMyBackend(...);            // raw backend, or a wrapped stack
 *     return { backend, cleanup: async () => { ... } };       // close servers, remove temp dirs
 *   }, { partSize: 5 * 1024 * 1024, multipartThreshold: 5 * 1024 * 1024 });
 *
 * `makeBackend` runs once, before the cases. Every run writes under a fresh random prefix and
 * deletes what it wrote at the end (then calls `cleanup`, which must also close the backend if the
 * suite should not: the suite calls `backend.close()` itself before `cleanup`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { InvalidRangeError, NotFoundError } from '../../src/storage/errors.js';
import { listKeyPages, listObjectPages } from '../../src/storage/helpers.js';
import { compareKeys, InvalidKeyError } from '../../src/storage/key-rules.js';
import type { ByteSource, ObjectInfo, StorageBackend } from '../../src/storage/types.js';
import { ContentHasher, hashBytes, hashInStoreForm, hashSpecFor, type MultipartSpec } from '../../src/transfer/hashing.js';

/** What `makeBackend` returns. */
export interface ConformanceTarget {
  readonly backend: StorageBackend;
  /** Releases what `makeBackend` set up (temp folders, servers); runs after `backend.close()`. */
  cleanup(): Promise<void>;
}

/** Knobs for backends whose facts differ; every field has a default that suits local and memory. */
export interface ConformanceOptions {
  /**
   * Part size the backend was configured to upload with (`multipart_chunksize`); needed to predict
   * S3 multipart ETags. Default 5 MiB (S3's smallest part).
   */
  readonly partSize?: number;
  /** Size from which the backend uploads in parts (`multi_part_upload_threshold`). Default `partSize`. */
  readonly multipartThreshold?: number;
  /** Size of the multipart-sized object. Default 2 × `partSize` + 1,031 bytes (three parts, a short last one). */
  readonly multipartSize?: number;
  /** Keys in the pagination case. Default 1,100 (S3, GCS and Azure pages hold 1,000 or 5,000). */
  readonly manyKeys?: number;
  /** Parallel requests when the suite writes many keys. Default 16. */
  readonly concurrency?: number;
  /** Per-case timeout in ms. Default 120,000. */
  readonly timeoutMs?: number;
  /** Where the run's random folder goes (e.g. `ci/`); default the bucket root. */
  readonly basePrefix?: string;
  /** Whether the backend refuses `..`, absolute, empty-segment and NUL keys (src/storage/key-rules.ts). Default true. */
  readonly refusesUnsafeKeys?: boolean;
}

/** Registers the conformance cases for one backend under `describe(name)`. */
export function describeStorageConformance(
  name: string,
  makeBackend: () => Promise<ConformanceTarget>,
  options: ConformanceOptions = {},
): void {
  const partSize = options.partSize ?? 5 * 1024 * 1024;
  const multipart: MultipartSpec = { partSize, threshold: options.multipartThreshold ?? partSize };
  const bigSize = options.multipartSize ?? 2 * partSize + 1031;
  const manyKeys = options.manyKeys ?? 1100;
  const concurrency = options.concurrency ?? 16;
  const caseOptions = { timeout: options.timeoutMs ?? 120_000 };
  const prefix = `${options.basePrefix ?? ''}conformance-${randomBytes(6).toString('hex')}/`;

  let target: ConformanceTarget | undefined;
  let scratch = '';
  const backend = (): StorageBackend => {
    if (!target) throw new Error('makeBackend did not complete');
    return target.backend;
  };
  const k = (key: string): string => `${prefix}${key}`;

  /** Asserts `info.hash` is the store-form hash of `data` for this backend's hash kind. */
  const assertHashOf = (info: ObjectInfo, data: Uint8Array, what: string): void => {
    const kind = backend().capabilities.hashKind;
    if (kind === 'none') return;
    const expected = hashInStoreForm(kind, hashBytes(data, hashSpecFor(kind, multipart)));
    assert.equal(info.hash, expected, `${what}: ${kind} hash`);
  };

  describe(name, () => {
    before(async () => {
      target = await makeBackend();
      scratch = await mkdtemp(join(tmpdir(), 'medusa-conformance-'));
    });

    after(async () => {
      try {
        if (target) {
          const keys: string[] = [];
          for await (const info of target.backend.list(prefix)) keys.push(info.key);
          const result = await target.backend.deleteMany(keys);
          assert.deepEqual(result.failed, [], 'cleanup deletes everything the run wrote');
          await target.backend.close();
        }
      } finally {
        await target?.cleanup();
        if (scratch) await rm(scratch, { recursive: true, force: true });
      }
    });

    test('put then get, stat and list agree on bytes, size, time and hash', caseOptions, async () => {
      const data = Buffer.from('hello conformance\n');
      const key = k('basic/object.txt');
      const before = Date.now();
      const put = await backend().put(key, { kind: 'bytes', data });
      assert.equal(put.key, key);
      assert.equal(put.size, data.length);
      assertHashOf(put, data, 'put result');
      assert.deepEqual(await readAll(await backend().get(key)), data);
      const stat = await backend().stat(key);
      assert.ok(stat, 'stat finds the object');
      assert.equal(stat.key, key);
      assert.equal(stat.size, put.size);
      assertSameTime(stat.lastModified, put.lastModified, 'stat vs put lastModified');
      assertNearNow(stat.lastModified, before);
      if (backend().capabilities.listingHasHash) assert.equal(stat.hash, put.hash, 'stat hash equals put hash');
      const listed = await listKeys(backend(), k('basic/'));
      assert.equal(listed.length, 1);
      const [entry] = listed;
      assert.equal(entry?.key, key);
      assert.equal(entry?.size, data.length);
      assertSameTime(entry?.lastModified ?? new Date(0), put.lastModified, 'list vs put lastModified');
      if (backend().capabilities.listingHasHash) assert.equal(entry?.hash, put.hash, 'listing hash equals put hash');
    });

    test('file, bytes and stream sources store the same bytes', caseOptions, async () => {
      const data = patternBytes(300_000, 7);
      const file = join(scratch, 'source.bin');
      await writeFile(file, data);
      const sources: Array<[string, ByteSource]> = [
        ['file', { kind: 'file', path: file }],
        ['bytes', { kind: 'bytes', data }],
        ['stream', { kind: 'stream', size: data.length, open: () => Readable.from(chunksOf(data, 10_000)) }],
      ];
      for (const [kind, source] of sources) {
        const key = k(`sources/${kind}.bin`);
        const put = await backend().put(key, source);
        assert.equal(put.size, data.length, `${kind}: put size`);
        assertHashOf(put, data, `${kind} source`);
        assert.ok((await readAll(await backend().get(key))).equals(data), `${kind}: bytes read back`);
      }
    });

    test('a zero-byte object is stored, listed and read back empty', caseOptions, async () => {
      const key = k('empty/nb-1-big-Rows.db');
      const put = await backend().put(key, { kind: 'bytes', data: new Uint8Array(0) });
      assert.equal(put.size, 0);
      assertHashOf(put, new Uint8Array(0), 'empty object');
      assert.equal((await readAll(await backend().get(key))).length, 0);
      assert.equal((await backend().stat(key))?.size, 0);
      assert.deepEqual((await listKeys(backend(), k('empty/'))).map((i) => [i.key, i.size]), [[key, 0]]);
    });

    test('overwrite replaces content, size and hash', caseOptions, async () => {
      const key = k('overwrite/doc.json');
      await backend().put(key, { kind: 'bytes', data: Buffer.from('a much longer first version of the document') });
      const second = Buffer.from('v2');
      const put = await backend().put(key, { kind: 'bytes', data: second });
      assertHashOf(put, second, 'second version');
      assert.deepEqual(await readAll(await backend().get(key)), second);
      assert.equal((await backend().stat(key))?.size, second.length);
      assert.equal((await listKeys(backend(), k('overwrite/'))).length, 1);
    });

    test('missing keys: get rejects with NotFoundError, stat is undefined, delete succeeds', caseOptions, async () => {
      const key = k('missing/never-written');
      await assert.rejects(backend().get(key), NotFoundError);
      await assert.rejects(backend().get(key, { range: { start: 0, end: 10 } }), NotFoundError);
      assert.equal(await backend().stat(key), undefined);
      await backend().delete(key);
      assert.deepEqual(await listKeys(backend(), k('missing/')), []);
    });

    test('range reads return the inclusive byte range, clipped at the end', caseOptions, async () => {
      const data = patternBytes(10_000, 3);
      const key = k('range/object.bin');
      await backend().put(key, { kind: 'bytes', data });
      const read = async (start: number, end?: number): Promise<Buffer> =>
        readAll(await backend().get(key, { range: end === undefined ? { start } : { start, end } }));
      assert.deepEqual(await read(0, 0), data.subarray(0, 1));
      assert.deepEqual(await read(100, 199), data.subarray(100, 200));
      assert.deepEqual(await read(9_990), data.subarray(9_990));
      assert.deepEqual(await read(9_000, 20_000), data.subarray(9_000), 'an end past the object is clipped');
      assert.deepEqual(await read(0), data);
      await assert.rejects(backend().get(key, { range: { start: 10_000 } }), InvalidRangeError);
      await assert.rejects(backend().get(key, { range: { start: 20_000, end: 30_000 } }), InvalidRangeError);
    });

    test('list honours plain string prefixes: a/b lists a/b/x and a/bc, a/b/ only a/b/x', caseOptions, async () => {
      const keys = ['p/a/b/x', 'p/a/b/y/z', 'p/a/bc', 'p/a/b-c', 'p/a/c', 'p/ab', 'p/b'];
      await Promise.all(keys.map((key) => backend().put(k(key), { kind: 'bytes', data: Buffer.from(key) })));
      const names = async (p: string): Promise<string[]> => (await listKeys(backend(), k(p))).map((i) => i.key.slice(prefix.length));
      assert.deepEqual(await names('p/a/b'), ['p/a/b-c', 'p/a/b/x', 'p/a/b/y/z', 'p/a/bc']);
      assert.deepEqual(await names('p/a/b/'), ['p/a/b/x', 'p/a/b/y/z']);
      assert.deepEqual(await names('p/a/'), ['p/a/b-c', 'p/a/b/x', 'p/a/b/y/z', 'p/a/bc', 'p/a/c']);
      assert.deepEqual(await names('p/a'), ['p/a/b-c', 'p/a/b/x', 'p/a/b/y/z', 'p/a/bc', 'p/a/c', 'p/ab']);
      assert.deepEqual(await names('p/a/b/x'), ['p/a/b/x']);
      assert.deepEqual(await names('p/zzz'), []);
      assert.deepEqual(await names('p/a/b/y/z/'), [], 'a key is not a folder');
    });

    test('list is in ascending byte order and never yields folders', caseOptions, async () => {
      const keys = ['o/a-b', 'o/a/c', 'o/a.b', 'o/a_b', 'o/aB', 'o/a/.idx/nb-1-big-Data.db', 'o/a0', 'o/A'];
      await Promise.all(keys.map((key) => backend().put(k(key), { kind: 'bytes', data: Buffer.from(key) })));
      const listed = (await listKeys(backend(), k('o/'))).map((i) => i.key.slice(prefix.length));
      assert.deepEqual(listed, [...keys].sort(compareKeys));
    });

    test('keys-only listing yields exactly the keys list yields, in the same order', caseOptions, async () => {
      const keys = ['q/a/b/x', 'q/a/bc', 'q/a/.idx/f', 'q/b', 'q/a/b-c', 'q/ab'];
      await Promise.all(keys.map((key) => backend().put(k(key), { kind: 'bytes', data: Buffer.from(key) })));
      for (const p of ['q/', 'q/a/b', 'q/a/b/', 'q/none']) {
        const names: string[] = [];
        for await (const page of listKeyPages(backend(), k(p))) {
          assert.ok(page.length > 0, 'pages are never empty');
          names.push(...page);
        }
        assert.deepEqual(names, (await listKeys(backend(), k(p))).map((i) => i.key), `prefix ${p}`);
      }
    });

    test('paged listing yields exactly what list yields, in the same order', caseOptions, async () => {
      const keys = ['g/a/b/x', 'g/a/bc', 'g/a/.idx/f', 'g/b', 'g/a/b-c', 'g/ab', 'g/a/b/y'];
      await Promise.all(keys.map((key) => backend().put(k(key), { kind: 'bytes', data: Buffer.from(key) })));
      for (const p of ['g/', 'g/a/b', 'g/a/b/', 'g/none']) {
        const paged: ObjectInfo[] = [];
        for await (const page of listObjectPages(backend(), k(p))) {
          assert.ok(page.length > 0, 'pages are never empty');
          paged.push(...page);
        }
        const listed = await listKeys(backend(), k(p));
        assert.deepEqual(paged.map((i) => [i.key, i.size, i.hash]), listed.map((i) => [i.key, i.size, i.hash]), `prefix ${p}`);
      }
    });

    test('list orders non-ASCII keys by UTF-8 bytes', caseOptions, async () => {
      // U+FF01 sorts before U+1F600 in UTF-8 (and code points), after it in UTF-16 code units.
      const keys = ['u/a\u00e9', 'u/a\uff01', 'u/a\u{1f600}', 'u/az'];
      await Promise.all(keys.map((key) => backend().put(k(key), { kind: 'bytes', data: Buffer.from(key) })));
      const listed = (await listKeys(backend(), k('u/'))).map((i) => i.key.slice(prefix.length));
      assert.deepEqual(listed, ['u/az', 'u/a\u00e9', 'u/a\uff01', 'u/a\u{1f600}']);
    });

    test('keys shaped like Medusa\'s round-trip (hidden index folders, dots, underscores, spaces)', caseOptions, async () => {
      const keys = [
        'node1.example.com/b1/data/ks/users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1/.users_email_idx/nb-1-big-Index.db',
        'node1.example.com/b1/data/ks/users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1/nb-1-big-Data.db',
        'node1.example.com/b1/meta/manifest.json',
        'index/backup_index/b1/started_node_1.example.com_1700000000.timestamp',
        'index/latest_backup/127.0.0.1/backup_name.txt',
        'odd/with space+plus=equals,comma;semi@at',
      ];
      for (const key of keys) await backend().put(k(key), { kind: 'bytes', data: Buffer.from(key) });
      for (const key of keys) assert.deepEqual((await readAll(await backend().get(k(key)))).toString(), key);
      const listed = (await listKeys(backend(), prefix)).map((i) => i.key.slice(prefix.length));
      for (const key of keys) assert.ok(listed.includes(key), `listed: ${key}`);
      const hidden = await listKeys(backend(), k('node1.example.com/b1/data/ks/users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1/.'));
      assert.equal(hidden.length, 1, 'a prefix ending in "." finds the hidden index folder only');
    });

    test(`listing past ${manyKeys} keys yields each key once, in order`, caseOptions, async () => {
      const keys = Array.from({ length: manyKeys }, (_, i) => k(`many/${String(i).padStart(5, '0')}-${i % 7}`));
      await runLimited(keys, concurrency, (key) => backend().put(key, { kind: 'bytes', data: Buffer.from(key) }));
      const listed = (await listKeys(backend(), k('many/'))).map((i) => i.key);
      assert.equal(listed.length, keys.length);
      assert.deepEqual(listed, [...keys].sort(compareKeys));
      const result = await backend().deleteMany(keys);
      assert.deepEqual(result.failed, []);
      assert.equal(result.deleted, keys.length);
      assert.deepEqual(await listKeys(backend(), k('many/')), []);
    });

    test(`a multipart-sized object (${bigSize} bytes) round-trips with the promised hash`, caseOptions, async () => {
      const key = k('big/nb-2-big-Data.db');
      const put = await backend().put(key, { kind: 'stream', size: bigSize, open: () => Readable.from(patternStream(bigSize, 11)) });
      assert.equal(put.size, bigSize);
      const expected = expectedHashes(bigSize, 11, multipart);
      const kind = backend().capabilities.hashKind;
      if (kind !== 'none') assert.equal(put.hash, hashInStoreForm(kind, expected), `${kind} hash of the multipart-sized object`);
      const readBack = new ContentHasher({ md5: true });
      let n = 0;
      for await (const chunk of await backend().get(key)) {
        readBack.update(chunk as Buffer);
        n += (chunk as Buffer).length;
      }
      assert.equal(n, bigSize);
      assert.equal(readBack.digest().md5Hex, expected.md5Hex, 'bytes read back');
      const stat = await backend().stat(key);
      assert.equal(stat?.size, bigSize);
      if (backend().capabilities.listingHasHash) assert.equal(stat?.hash, put.hash);
      const tail = await readAll(await backend().get(key, { range: { start: bigSize - 100 } }));
      assert.deepEqual(tail, Buffer.from(patternSlice(bigSize - 100, bigSize, 11)));
    });

    test('a reader may stop early: a get stream destroyed part-way and a listing left by break do not wedge the backend', caseOptions, async () => {
      const data = patternBytes(600_000, 5);
      const key = k('early/object.bin');
      await backend().put(key, { kind: 'bytes', data });
      for (let i = 0; i < 3; i++) await backend().put(k(`early/list/${i}`), { kind: 'bytes', data: Buffer.from([i]) });
      for (let round = 0; round < 5; round++) {
        const body = await backend().get(key);
        for await (const chunk of body) {
          assert.ok((chunk as Buffer).length > 0);
          break; // destroys the stream
        }
        for await (const info of backend().list(k('early/list/'))) {
          assert.ok(info.key.startsWith(k('early/list/')));
          break;
        }
      }
      assert.ok((await readAll(await backend().get(key))).equals(data), 'the object still reads in full');
    });

    test('concurrent puts of distinct keys all land', caseOptions, async () => {
      const keys = Array.from({ length: concurrency * 2 }, (_, i) => k(`parallel/f${i}`));
      await Promise.all(keys.map((key, i) => backend().put(key, { kind: 'bytes', data: patternBytes(1000 + i, i) })));
      const listed = await listKeys(backend(), k('parallel/'));
      assert.equal(listed.length, keys.length);
      for (const info of listed) {
        const i = Number(info.key.slice(k('parallel/f').length));
        assert.equal(info.size, 1000 + i);
      }
    });

    test('concurrent puts to one key leave exactly one complete version', caseOptions, async () => {
      const key = k('race/object');
      const versions = Array.from({ length: 8 }, (_, i) => patternBytes(50_000 + i * 1000, 100 + i));
      await Promise.all(versions.map((data) => backend().put(key, { kind: 'bytes', data })));
      const got = await readAll(await backend().get(key));
      assert.ok(versions.some((v) => v.equals(got)), 'the stored bytes are one whole version');
      assert.equal((await backend().stat(key))?.size, got.length);
      assert.equal((await listKeys(backend(), k('race/'))).length, 1);
    });

    test('delete removes one key and leaves its neighbours; deleteMany reports missing keys as deleted', caseOptions, async () => {
      const keys = ['d/x/1', 'd/x/2', 'd/y/1', 'd/z'].map(k);
      for (const key of keys) await backend().put(key, { kind: 'bytes', data: Buffer.from(key) });
      await backend().delete(k('d/x/1'));
      assert.equal(await backend().stat(k('d/x/1')), undefined);
      assert.deepEqual((await listKeys(backend(), k('d/'))).map((i) => i.key), [k('d/x/2'), k('d/y/1'), k('d/z')]);
      const result = await backend().deleteMany([k('d/x/2'), k('d/nope'), k('d/y/1'), k('d/x/1')]);
      assert.deepEqual(result.failed, []);
      assert.equal(result.deleted, 4);
      assert.deepEqual((await listKeys(backend(), k('d/'))).map((i) => i.key), [k('d/z')]);
      assert.deepEqual(await backend().deleteMany([]), { deleted: 0, failed: [] });
    });

    test('a put whose signal is already aborted rejects and stores nothing', caseOptions, async () => {
      const key = k('abort/object');
      await assert.rejects(backend().put(key, { kind: 'bytes', data: Buffer.from('x') }, { signal: AbortSignal.abort() }));
      assert.equal(await backend().stat(key), undefined);
    });

    if (options.refusesUnsafeKeys ?? true) {
      test('keys that could leave the bucket folder are refused with InvalidKeyError', caseOptions, async () => {
        const bad = [k('a/../../b'), '../x', '/abs/key', k('a//b'), k('a/./b'), k('a\0b'), k('trailing/'), ''];
        for (const key of bad) {
          await assert.rejects(backend().put(key, { kind: 'bytes', data: Buffer.from('x') }), InvalidKeyError, `put ${JSON.stringify(key)}`);
          await assert.rejects(backend().get(key), InvalidKeyError, `get ${JSON.stringify(key)}`);
          await assert.rejects(backend().stat(key), InvalidKeyError, `stat ${JSON.stringify(key)}`);
          await assert.rejects(backend().delete(key), InvalidKeyError, `delete ${JSON.stringify(key)}`);
        }
        await assert.rejects(listKeys(backend(), '../'), InvalidKeyError);
        const result = await backend().deleteMany([k('ok/missing'), k('a/../b')]);
        assert.equal(result.failed.length, 1);
        assert.equal(result.failed[0]?.key, k('a/../b'));
        assert.ok(result.failed[0]?.error instanceof InvalidKeyError);
      });
    }
  });
}

/** All of a stream, in memory (small objects only). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The whole listing of `prefix`, in the order the backend yields it. */
export async function listKeys(backend: StorageBackend, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of backend.list(prefix)) out.push(info);
  return out;
}

function assertSameTime(actual: Date, expected: Date, what: string): void {
  assert.ok(Math.abs(actual.getTime() - expected.getTime()) <= 1000, `${what}: ${actual.toISOString()} vs ${expected.toISOString()}`);
}

function assertNearNow(actual: Date, startedAt: number): void {
  // Same machine (or emulator on it): a unit mistake (seconds vs ms) shows as years.
  const skew = 10 * 60 * 1000;
  assert.ok(actual.getTime() >= startedAt - skew && actual.getTime() <= Date.now() + skew, `lastModified ${actual.toISOString()} is near now`);
}

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function* chunksOf(data: Uint8Array, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield Buffer.from(data.subarray(i, i + size));
}

/** Deterministic bytes: byte i of seed s. Cheap to regenerate, so big objects need not stay in memory. */
function patternByte(i: number, seed: number): number {
  return (Math.imul(i ^ (i >>> 11), 2654435761) + seed * 97 + (i >>> 16)) & 0xff;
}

function patternSlice(start: number, end: number, seed: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = patternByte(i, seed);
  return out;
}

function patternBytes(size: number, seed: number): Buffer {
  return Buffer.from(patternSlice(0, size, seed));
}

const PATTERN_CHUNK = 256 * 1024;

function* patternStream(size: number, seed: number): Generator<Buffer> {
  for (let i = 0; i < size; i += PATTERN_CHUNK) yield Buffer.from(patternSlice(i, Math.min(size, i + PATTERN_CHUNK), seed));
}

function expectedHashes(size: number, seed: number, multipart: MultipartSpec): { md5Hex?: string; md5Base64?: string; s3Etag?: string; size: number } {
  const whole = new ContentHasher({ md5: true, s3Etag: multipart });
  for (const chunk of patternStream(size, seed)) whole.update(chunk);
  return whole.digest();
}
