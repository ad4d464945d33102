import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createBackend, LocalBackend } from '../../../src/storage/backends/local.js';
import { ConflictError, NotFoundError, PermissionError, StorageError } from '../../../src/storage/errors.js';
import { InvalidKeyError } from '../../../src/storage/key-rules.js';
import { md5Hex } from '../../../src/transfer/hashing.js';
import { ConfigError } from '../../../src/util/errors.js';
import type { StorageSection } from '../../../src/config/types.js';
import { systemClock } from '../../../src/util/clock.js';
import { listKeys } from '../../conformance/storage-suite.js';

describe('local backend specifics', () => {
  let base = '';
  let root = '';
  let backend: LocalBackend;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'medusa-local-unit-'));
    root = join(base, 'bucket');
    backend = new LocalBackend({ root });
  });
  after(() => rm(base, { recursive: true, force: true }));

  const put = (key: string, text: string) => backend.put(key, { kind: 'bytes', data: Buffer.from(text) });

  test('objects are plain files at <root>/<key>, hidden index folders included, and put returns their hex MD5', async () => {
    const key = 'node1/b1/data/ks/t-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1/.t_idx/nb-1-big-Data.db';
    const info = await put(key, 'sstable bytes');
    assert.equal(await readFile(join(root, ...key.split('/')), 'utf8'), 'sstable bytes');
    assert.equal(info.hash, md5Hex(Buffer.from('sstable bytes')));
    assert.equal((await backend.stat(key))?.hash, info.hash, 'stat carries the MD5 recorded when the object was stored');
    assert.equal((await listKeys(backend, 'node1/'))[0]?.hash, info.hash);
  });

  test('files written by someone else (Python Medusa) are listed in byte order with prefix boundaries', async () => {
    for (const rel of ['py/a/b/x', 'py/a/bc', 'py/a/b-c', 'py/a/c', 'py/ab']) {
      await mkdir(join(root, ...rel.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(root, ...rel.split('/')), rel);
    }
    await mkdir(join(root, 'py', 'a', 'empty-folder'), { recursive: true });
    assert.deepEqual((await listKeys(backend, 'py/a/b')).map((i) => i.key), ['py/a/b-c', 'py/a/b/x', 'py/a/bc']);
    assert.deepEqual((await listKeys(backend, 'py/')).map((i) => i.key), ['py/a/b-c', 'py/a/b/x', 'py/a/bc', 'py/a/c', 'py/ab']);
    assert.deepEqual(await listKeys(backend, 'py/a/empty'), [], 'folders are never objects');
    assert.deepEqual(await listKeys(backend, 'nowhere/at/all/'), []);
  });

  test('temporary files of in-flight writes are invisible and their names cannot be used as keys', async () => {
    await mkdir(join(root, 'tmp'), { recursive: true });
    await writeFile(join(root, 'tmp', '.medusa-tmp-0123456789abcdef-nb-1-big-Data.db'), 'partial');
    await put('tmp/real', 'r');
    assert.deepEqual((await listKeys(backend, 'tmp/')).map((i) => i.key), ['tmp/real']);
    await assert.rejects(put('tmp/.medusa-tmp-x', 'no'), InvalidKeyError);
  });

  test('a put that fails part-way leaves the previous content and no temporary file', async () => {
    await put('atomic/doc', 'old content');
    const broken: Readable = Readable.from((async function* () {
      yield Buffer.from('new cont');
      await Promise.resolve();
      throw new Error('source broke');
    })());
    await assert.rejects(backend.put('atomic/doc', { kind: 'stream', size: 11, open: () => broken }), /source broke/);
    assert.equal(await readFile(join(root, 'atomic', 'doc'), 'utf8'), 'old content');
    assert.deepEqual(await readdir(join(root, 'atomic')), ['doc']);
  });

  test('a put with durable: false stores the object at once; flush syncs, and needs no bucket folder yet', async () => {
    await new LocalBackend({ root: join(base, 'never-written') }).flush();
    const info = await backend.put('lazy/doc', { kind: 'bytes', data: Buffer.from('later') }, { durable: false });
    assert.equal(info.hash, md5Hex(Buffer.from('later')));
    assert.equal(await readFile(join(root, 'lazy', 'doc'), 'utf8'), 'later');
    await backend.flush();
  });

  test('a stream source that gives fewer bytes than announced is refused (ConflictError) and not stored', async () => {
    await assert.rejects(
      backend.put('short/doc', { kind: 'stream', size: 100, open: () => Readable.from([Buffer.from('only a few')]) }),
      ConflictError,
    );
    assert.equal(await backend.stat('short/doc'), undefined);
  });

  test('delete removes the folders it empties, up to (not including) the bucket folder', async () => {
    await put('gone/deep/er/x', 'x');
    await put('gone/keep', 'k');
    await backend.delete('gone/deep/er/x');
    assert.deepEqual(await readdir(join(root, 'gone')), ['keep']);
    await backend.delete('gone/keep');
    await assert.rejects(stat(join(root, 'gone')), /ENOENT/);
    assert.ok((await stat(root)).isDirectory(), 'the bucket folder stays');
    await backend.delete('gone/keep');
  });

  test('a folder name is not an object: get is NotFound, stat undefined, delete a no-op', async () => {
    await put('dir/child', 'c');
    await assert.rejects(backend.get('dir'), NotFoundError);
    assert.equal(await backend.stat('dir'), undefined);
    await backend.delete('dir');
    assert.equal((await backend.stat('dir/child'))?.size, 1);
  });

  test('a FIFO under the bucket is refused at once, not waited on (reads run on the main thread)', async () => {
    await mkdir(join(root, 'pipes'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'pipes', 'p')]);
    // A blocking open would hang the event loop here, and the test with it, until a writer came.
    await assert.rejects(backend.get('pipes/p'), (e: Error) => e instanceof StorageError && !(e instanceof NotFoundError) && /is not a regular file/.test(e.message));
    assert.equal(await backend.stat('pipes/p'), undefined);
  });

  test('file/folder clashes and permission problems map to the taxonomy', async () => {
    await put('clash/file', 'f');
    await assert.rejects(put('clash/file/below', 'x'), ConflictError);
    await assert.rejects(backend.get('clash/file/below'), NotFoundError);
    assert.equal(await backend.stat('clash/file/below'), undefined);
    await backend.delete('clash/file/below');
    await put('clash2/sub/x', 'x');
    await assert.rejects(put('clash2/sub', 'x'), ConflictError);
    if (process.getuid?.() !== 0) {
      await mkdir(join(root, 'locked'), { recursive: true });
      await chmod(join(root, 'locked'), 0o500);
      await assert.rejects(put('locked/x', 'x'), PermissionError);
      await chmod(join(root, 'locked'), 0o700);
    }
  });

  test('concurrent puts from files larger than the read buffers never mix their bytes (pooled buffers)', async () => {
    const sources = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const data = Buffer.alloc(3 * 1024 * 1024 + 1000 * i);
        for (let j = 0; j < data.length; j += 4) data.writeUInt32LE((j * (i + 1)) >>> 0, j);
        const path = join(base, `src-${i}.bin`);
        await writeFile(path, data);
        return { path, data, key: `pool/f${i}` };
      }),
    );
    for (let round = 0; round < 2; round++) {
      const infos = await Promise.all(sources.map((s) => backend.put(s.key, { kind: 'file', path: s.path })));
      for (const [i, s] of sources.entries()) {
        assert.equal(infos[i]?.hash, md5Hex(s.data), `hash of ${s.key}`);
        assert.ok((await readFile(join(root, 'pool', `f${i}`))).equals(s.data), `bytes of ${s.key}`);
      }
    }
  });

  test('createBackend needs base_path and builds <base_path>/<bucket_name>', async () => {
    const storage = { storage_provider: 'local', bucket_name: 'my-bucket', base_path: join(base, 'medusa') } as StorageSection;
    const made = await createBackend(storage, { clock: systemClock });
    await made.put('k', { kind: 'bytes', data: Buffer.from('v') });
    assert.equal(await readFile(join(base, 'medusa', 'my-bucket', 'k'), 'utf8'), 'v');
    await assert.rejects(createBackend({ ...storage, base_path: undefined }, { clock: systemClock }), ConfigError);
    await assert.rejects(createBackend({ ...storage, bucket_name: '../x' }, { clock: systemClock }), ConfigError);
  });
});
