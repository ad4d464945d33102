/**
 * The local backend's stored-MD5 records: listings carry the hash recorded at `put` only while the
 * object is the file written then; records live outside the bucket folder (Python Medusa lists
 * every file in it); deletes take them along.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBackend, defaultRecordsRoot, LocalBackend } from '../../../src/storage/backends/local.js';
import { RECORD_LOG } from '../../../src/storage/backends/local-hash-records.js';
import { md5Hex } from '../../../src/transfer/hashing.js';
import type { StorageSection } from '../../../src/config/types.js';
import { systemClock } from '../../../src/util/clock.js';
import { listKeys } from '../../conformance/storage-suite.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return out.sort();
}

describe('local backend: stored-MD5 records', () => {
  let base = '';
  let root = '';
  let backend: LocalBackend;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'medusa-records-unit-'));
    root = join(base, 'bucket');
    backend = new LocalBackend({ root });
  });
  after(() => rm(base, { recursive: true, force: true }));

  const put = (key: string, text: string, durable = true) => backend.put(key, { kind: 'bytes', data: Buffer.from(text) }, { durable });
  const hashOf = async (prefix: string, key: string) => (await listKeys(backend, prefix)).find((i) => i.key === key)?.hash;

  test('records live beside the bucket, never inside it: the bucket folder holds only objects', async () => {
    await put('n1/data/ks/t-1/nb-1-big-Data.db', 'one');
    assert.equal(backend.records.root, defaultRecordsRoot(base, 'bucket'));
    assert.deepEqual(await filesUnder(root), ['n1/data/ks/t-1/nb-1-big-Data.db']);
    assert.deepEqual(await filesUnder(backend.records.root), [`n1/data/ks/t-1/${RECORD_LOG}`]);
  });

  test('a file rewritten in place (as Python Medusa does), or one written by someone else, has no hash', async () => {
    const key = 'n1/data/ks/t-2/nb-1-big-Data.db';
    const info = await put(key, 'same size A');
    assert.equal(await hashOf('n1/data/ks/t-2/', key), info.hash);
    await writeFile(join(root, key), 'same size B');
    assert.equal(await hashOf('n1/data/ks/t-2/', key), undefined, 'in-place overwrite: other mtime');
    assert.equal((await backend.stat(key))?.hash, undefined);
    await writeFile(join(root, 'n1/data/ks/t-2/nb-2-big-Data.db'), 'python');
    assert.equal(await hashOf('n1/data/ks/t-2/', 'n1/data/ks/t-2/nb-2-big-Data.db'), undefined);
  });

  test('a rewrite that keeps size and mtime but not the inode (a copy of the bucket) has no hash either', async () => {
    const key = 'n1/data/ks/t-3/nb-1-big-Data.db';
    await put(key, 'content');
    const before = await stat(join(root, key));
    await rm(join(root, key));
    await writeFile(join(root, 'other'), 'content');
    await cp(join(root, 'other'), join(root, key));
    await rm(join(root, 'other'));
    await utimes(join(root, key), before.atime, before.mtime);
    assert.equal(await hashOf('n1/data/ks/t-3/', key), undefined);
  });

  test('durable: false records are answered at once and written by flush, one append per folder', async () => {
    const fresh = new LocalBackend({ root: join(base, 'b2') });
    const a = await fresh.put('n/data/ks/t/a', { kind: 'bytes', data: Buffer.from('a') }, { durable: false });
    await fresh.put('n/data/ks/t/b', { kind: 'bytes', data: Buffer.from('b') }, { durable: false });
    assert.equal((await fresh.stat('n/data/ks/t/a'))?.hash, a.hash);
    assert.deepEqual(await filesUnder(fresh.records.root).catch(() => []), [], 'nothing written before flush');
    await fresh.flush();
    const log = await readFile(join(fresh.records.root, 'n/data/ks/t', RECORD_LOG), 'utf8');
    assert.equal(log.trim().split('\n').length, 2);
    const reopened = new LocalBackend({ root: join(base, 'b2') });
    assert.deepEqual((await listKeys(reopened, 'n/')).map((i) => i.hash), [md5Hex(Buffer.from('a')), md5Hex(Buffer.from('b'))]);
  });

  test('a damaged log line is skipped; the others still count', async () => {
    const key = 'n1/data/ks/t-4/x';
    const info = await put(key, 'x');
    await put('n1/data/ks/t-4/y', 'y');
    const logPath = join(backend.records.root, 'n1/data/ks/t-4', RECORD_LOG);
    const lines = (await readFile(logPath, 'utf8')).split('\n');
    await writeFile(logPath, `${lines[0]}\n{"n":"y","s":1,"i":"1"\n`);
    const reopened = new LocalBackend({ root });
    assert.equal(await hashOf('n1/data/ks/t-4/', key), info.hash);
    assert.equal((await listKeys(reopened, 'n1/data/ks/t-4/')).find((i) => i.key === 'n1/data/ks/t-4/y')?.hash, undefined);
  });

  test('deleting the last object of a folder removes its records; a long log is compacted by a listing', async () => {
    await put('n1/data/ks/t-5/a', 'a');
    await backend.delete('n1/data/ks/t-5/a');
    assert.deepEqual(await readdir(join(backend.records.root, 'n1/data/ks')).then((d) => d.includes('t-5')), false);
    for (let i = 0; i < 100; i++) await put(`n1/data/ks/t-6/f${i % 3}`, `v${i}`);
    const logPath = join(backend.records.root, 'n1/data/ks/t-6', RECORD_LOG);
    assert.equal((await readFile(logPath, 'utf8')).trim().split('\n').length, 100);
    const listed = await listKeys(new LocalBackend({ root }), 'n1/data/ks/t-6/');
    assert.equal(listed.filter((i) => i.hash !== undefined).length, 3);
    assert.equal((await readFile(logPath, 'utf8')).trim().split('\n').length, 3);
  });

  test('createBackend keeps records in <base_path>/.medusa-ts/stored-md5/<bucket_name>', async () => {
    const storage = { storage_provider: 'local', base_path: base, bucket_name: 'b3' } as unknown as StorageSection;
    const b = (await createBackend(storage, { clock: systemClock })) as LocalBackend;
    await b.put('k', { kind: 'bytes', data: Buffer.from('k') });
    assert.equal(b.records.root, join(base, '.medusa-ts', 'stored-md5', 'b3'));
    assert.deepEqual(await filesUnder(join(base, 'b3')), ['k']);
  });
});
