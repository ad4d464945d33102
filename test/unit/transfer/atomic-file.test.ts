import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { isTempFileName, removeStaleTempFiles, tempPathBeside, writeFileAtomically, writeSmallFileAtomicallySync } from '../../../src/transfer/atomic-file.js';
import { ChunkBufferPool } from '../../../src/transfer/file-chunks.js';
import { ContentHasher } from '../../../src/transfer/hashing.js';

describe('atomic file writes', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medusa-atomic-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('temporary names are hidden, reserved, and never look like an SSTable component', () => {
    const name = tempPathBeside('/data/ks/t-1/nb-1-big-Data.db').split('/').pop() ?? '';
    assert.ok(isTempFileName(name));
    assert.ok(!name.endsWith('.db'));
    assert.match(name, /^\.medusa-tmp-[0-9a-f]{16}$/);
  });

  test('writes, hashes while copying, creates folders, and replaces atomically', async () => {
    const dest = join(dir, 'a', 'b', 'file');
    const hasher = new ContentHasher({ md5: true });
    const written = await writeFileAtomically(dest, Readable.from([Buffer.from('hello '), Buffer.from('world')]), { hasher });
    assert.equal(written.size, 11);
    assert.equal(await readFile(dest, 'utf8'), 'hello world');
    assert.equal(hasher.digest().md5Hex, '5eb63bbbe01eeed093cb22bb8f5acdc3');
    assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['file']);
  });


  test('staged chunks are written whole and in order, each full staging buffer handed to onStaged', async () => {
    // Rows: staging buffer size, chunk sizes, the piece sizes onStaged must see.
    const cases: ReadonlyArray<readonly [stage: number, chunks: number[], pieces: number[]]> = [
      [8, [3, 4, 5], [8, 4]],
      [7, [3, 4, 5, 1], [7, 6]],
      [4, [10, 1, 1], [4, 4, 4]],
      [1024, [0, 5], [5]],
      [4, [4, 4, 4, 4], [4, 4, 4, 4]],
    ];
    for (const [stage, sizes, pieces] of cases) {
      const chunks = sizes.map((n, i) => Buffer.alloc(n, 97 + i));
      const dest = join(dir, `staged-${stage}-${sizes.join('-')}`);
      const seen: Buffer[] = [];
      const hasher = new ContentHasher({ md5: true });
      const staging = new ChunkBufferPool(stage, 1, true);
      const onStaged = async (piece: Buffer): Promise<void> => {
        await new Promise((r) => setImmediate(r));
        seen.push(Buffer.from(piece));
      };
      const written = await writeFileAtomically(dest, Readable.from(chunks), { staging, onStaged, hasher });
      const expected = Buffer.concat(chunks);
      assert.equal(written.size, expected.length);
      assert.deepEqual(await readFile(dest), expected, `content, staging ${stage}`);
      assert.deepEqual(seen.map((p) => p.length), pieces, `pieces, staging ${stage}`);
      assert.deepEqual(Buffer.concat(seen), expected, `pieces' bytes, staging ${stage}`);
      assert.equal(hasher.bytes, expected.length);
    }
  });

  test('a failing onStaged fails the write and leaves no file', async () => {
    const dest = join(dir, 'staged-failure');
    const staging = new ChunkBufferPool(4, 1, true);
    const onStaged = (): Promise<void> => Promise.reject(new Error('worker gone'));
    await assert.rejects(writeFileAtomically(dest, Readable.from([Buffer.alloc(10)]), { staging, onStaged }), /worker gone/);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.medusa-tmp-') || n === 'staged-failure'), []);
  });

  test('a failed check or an abort leaves the old file and no temporary file', async () => {
    const dest = join(dir, 'kept');
    await writeFile(dest, 'old');
    await assert.rejects(writeFileAtomically(dest, Readable.from([Buffer.from('new')]), { verify: () => { throw new Error('bad size'); } }), /bad size/);
    const controller = new AbortController();
    let reads = 0;
    const endless = new Readable({
      read() {
        if (++reads === 5) controller.abort(new Error('stop now'));
        this.push(Buffer.alloc(1024));
      },
    });
    await assert.rejects(writeFileAtomically(dest, endless, { signal: controller.signal }), /stop now/);
    assert.equal(await readFile(dest, 'utf8'), 'old');
    assert.deepEqual((await readdir(dir)).filter(isTempFileName), []);
  });

  test('writeSmallFileAtomicallySync writes, creates folders and reports the stamp; a failure leaves the old file and no temporary file', async () => {
    const dest = join(dir, 'small', 'c', 'nb-1-big-TOC.txt');
    const written = writeSmallFileAtomicallySync(dest, Buffer.from('TOC.txt\n'), { durable: false });
    assert.equal(written.size, 8);
    assert.equal(await readFile(dest, 'utf8'), 'TOC.txt\n');
    const st = await stat(dest, { bigint: true });
    assert.deepEqual(written.stamp, { ino: st.ino, mtimeNs: st.mtimeNs }, 'the stamp is the placed file\'s');
    assert.equal(writeSmallFileAtomicallySync(join(dir, 'small', 'empty'), Buffer.alloc(0)).size, 0);
    // The destination is a folder: the rename fails, the temporary file is removed.
    await mkdir(join(dir, 'small', 'taken'), { recursive: true });
    await writeFile(join(dir, 'small', 'taken', 'inside'), 'x');
    assert.throws(() => writeSmallFileAtomicallySync(join(dir, 'small', 'taken'), Buffer.from('new')));
    assert.deepEqual((await readdir(join(dir, 'small'))).filter(isTempFileName), []);
    assert.equal(await readFile(join(dir, 'small', 'taken', 'inside'), 'utf8'), 'x');
  });

  test('removeStaleTempFiles removes only old temporary files', async () => {
    const root = join(dir, 'sweep');
    await mkdir(join(root, 'ks', 't'), { recursive: true });
    const old = join(root, 'ks', 't', '.medusa-tmp-00000000000000aa');
    const fresh = join(root, 'ks', '.medusa-tmp-00000000000000bb');
    await writeFile(old, 'x');
    await writeFile(fresh, 'y');
    await writeFile(join(root, 'ks', 't', 'nb-1-big-Data.db'), 'z');
    const now = Date.now();
    await utimes(old, new Date(now - 3_600_000), new Date(now - 3_600_000));
    assert.equal(await removeStaleTempFiles(root, 600_000, now), 1);
    assert.deepEqual((await readdir(join(root, 'ks', 't'))).sort(), ['nb-1-big-Data.db']);
    assert.ok((await readdir(join(root, 'ks'))).includes('.medusa-tmp-00000000000000bb'));
    assert.equal(await removeStaleTempFiles(join(dir, 'missing'), 0, now), 0);
  });
});
