/**
 * Table tests of the differential decision: for a file (name, size, hash) and what the pool holds
 * under its identity (plain and content-tagged keys, with or without a hash), which action and
 * which key. The keys are built by the real layout functions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dataFolder, dataKey } from '../../../src/layout/keys.js';
import { contentTag, fileIdentity, parseDataRest } from '../../../src/layout/pool-keys.js';
import {
  countPlan,
  Md5NeededError,
  pendingHashChecks,
  planBackupUploads,
  reusedManifestObject,
  settleHashChecks,
  StoredObject,
  type FileHashes,
  type LocalFile,
  type LocalTable,
  type PoolObject,
  type TablePlan,
} from '../../../src/plan/backup-plan.js';

const T = 't-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const folder = dataFolder({}, 'n', 'b', true);
const keyOf = (t: { keyspace: string; tableDir: string }, f: { relativePath: string }, tag?: string): string =>
  dataKey({}, 'n', 'b', true, t.keyspace, t.tableDir, f.relativePath, tag);
const identityOfKey = (key: string): string | undefined => {
  if (!key.startsWith(folder)) return undefined;
  const p = parseDataRest(key.slice(folder.length));
  return p && fileIdentity(p.keyspace, p.tableDir, p.relativePath);
};
const naming = { keyOf, identityOfKey, identityOfFile: (t: LocalTable, f: LocalFile) => fileIdentity(t.keyspace, t.tableDir, f.relativePath), tagOf: contentTag };

const MD5_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const MD5_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const MD5_C = 'cccccccccccccccccccccccccccccccc';

/** `nb-3-big-Data.db` (or the index component) in table T, with the given content hash. */
function file(relativePath: string, size: number): LocalFile {
  return { relativePath, path: `/d/ks/${T}/snapshots/s/${relativePath}`, size };
}
const table = (files: LocalFile[]): LocalTable => ({ keyspace: 'ks', tableDir: T, files });
const plain = (rel: string) => keyOf({ keyspace: 'ks', tableDir: T }, { relativePath: rel });
const tagged = (rel: string, md5: string, n = 1) => keyOf({ keyspace: 'ks', tableDir: T }, { relativePath: rel }, contentTag(md5, n));

/**
 * Plans and settles as the backup does: the local hash of every comparable candidate is the
 * file's MD5 (`local` undefined: the file could not be read), and the MD5 is given.
 */
function decide(files: LocalFile[], local: ReadonlyMap<string, string | undefined>, pool: PoolObject[], differential = true): TablePlan[] {
  const first = planBackupUploads({ tables: [table(files)], differential, pool, ...naming });
  const hashes = new Map<string, FileHashes>();
  for (const d of pendingHashChecks(first)) {
    const md5 = local.get(d.file.relativePath);
    const byCandidate = new Map((d.candidates ?? []).map((c) => [c.key, md5] as const));
    hashes.set(d.key, { byCandidate, ...(md5 ? { md5Hex: md5 } : {}) });
  }
  return settleHashChecks(first, hashes, pool.map((p) => p.key), naming);
}

describe('differential decision: name, size, hash, present or absent, which key', () => {
  const D = 'nb-3-big-Data.db';
  const I = '.t_v_idx/nb-3-big-Data.db';
  const cases: Array<{ name: string; file: LocalFile; md5: string | undefined; pool: PoolObject[]; action: string; key: string }> = [
    { name: 'absent: uploaded to the plain key', file: file(D, 10), md5: MD5_A, pool: [], action: 'upload', key: plain(D) },
    { name: 'same name, size and hash: reused', file: file(D, 10), md5: MD5_A, pool: [{ key: plain(D), size: 10, hash: MD5_A }], action: 'reuse', key: plain(D) },
    { name: 'same name and size, other hash (reused SSTable name after a restore): a tagged key, the stored object untouched',
      file: file(D, 10), md5: MD5_B, pool: [{ key: plain(D), size: 10, hash: MD5_A }], action: 'reupload', key: tagged(D, MD5_B) },
    { name: 'same name, other size: a tagged key, never the plain one', file: file(D, 11), md5: MD5_B, pool: [{ key: plain(D), size: 10, hash: MD5_A }], action: 'reupload', key: tagged(D, MD5_B) },
    { name: 'same name and size, no stored hash (local object Python Medusa wrote): not reused, a tagged key',
      file: file(D, 10), md5: MD5_A, pool: [{ key: plain(D), size: 10 }], action: 'reupload', key: tagged(D, MD5_A) },
    { name: 'the file cannot be hashed: not reused', file: file(D, 10), md5: undefined, pool: [{ key: plain(D), size: 10, hash: MD5_A }, { key: tagged(D, MD5_C), size: 10, hash: MD5_C }],
      action: 'reupload', key: 'md5-needed' },
    { name: 'the tagged key for its content holds it: reused (a re-run is idempotent)',
      file: file(D, 10), md5: MD5_B, pool: [{ key: plain(D), size: 10, hash: MD5_A }, { key: tagged(D, MD5_B), size: 10, hash: MD5_B }], action: 'reuse', key: tagged(D, MD5_B) },
    { name: 'the plain key holds it, a tagged one too: the plain key wins',
      file: file(D, 10), md5: MD5_A, pool: [{ key: tagged(D, MD5_A), size: 10, hash: MD5_A }, { key: plain(D), size: 10, hash: MD5_A }], action: 'reuse', key: plain(D) },
    { name: 'the tagged key for its content holds other bytes (no hash): the next tag',
      file: file(D, 10), md5: MD5_B, pool: [{ key: plain(D), size: 10, hash: MD5_A }, { key: tagged(D, MD5_B), size: 10 }], action: 'reupload', key: tagged(D, MD5_B, 2) },
    { name: 'only tagged keys are left (the plain one was purged): uploaded to the free plain key',
      file: file(D, 10), md5: MD5_B, pool: [{ key: tagged(D, MD5_A), size: 10, hash: MD5_A }], action: 'reupload', key: plain(D) },
    { name: 'secondary-index file: same decision, the tag sits on the table segment, .<index> stays the parent',
      file: file(I, 10), md5: MD5_B, pool: [{ key: plain(I), size: 10, hash: MD5_A }], action: 'reupload', key: tagged(I, MD5_B) },
    { name: 'same file name in another index dir or table is not a candidate',
      file: file(D, 10), md5: MD5_A, pool: [{ key: plain(I), size: 10, hash: MD5_A }, { key: keyOf({ keyspace: 'ks', tableDir: 't-2' }, { relativePath: D }), size: 10, hash: MD5_A }],
      action: 'upload', key: plain(D) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const local = new Map([[c.file.relativePath, c.md5]]);
      if (c.key === 'md5-needed') {
        assert.throws(() => decide([c.file], local, c.pool), Md5NeededError);
        return;
      }
      const d = decide([c.file], local, c.pool)[0]!.files[0]!;
      assert.equal(d.action, c.action);
      assert.equal(d.key, c.key);
      if (c.action === 'reuse') assert.deepEqual(d.stored, c.pool.find((p) => p.key === c.key));
      assert.ok(c.action === 'reuse' || !c.pool.some((p) => p.key === d.key), 'never a key the pool holds');
    });
  }

  test('a tagged key keeps the file name last and the .<index> parent: what Medusa derives on download', () => {
    assert.equal(tagged('.t_v_idx/nb-3-big-Data.db', MD5_B), `n/data/ks/${T}~${MD5_B}/.t_v_idx/nb-3-big-Data.db`);
    assert.equal(tagged('nb-3-big-Data.db', MD5_B, 2), `n/data/ks/${T}~${MD5_B}~2/nb-3-big-Data.db`);
  });

  test('full mode uploads everything under the backup, whatever the pool holds', () => {
    const plan = planBackupUploads({ tables: [table([file('a', 1)])], differential: false, pool: [{ key: plain('a'), size: 1, hash: MD5_A }], ...naming });
    assert.deepEqual(plan[0]!.files.map((f) => [f.action, f.key]), [['upload', plain('a')]]);
  });

  test('candidates are listed plain key first, then by key, and only comparable ones are hashed', () => {
    const pool = [{ key: tagged('a', MD5_C), size: 1, hash: MD5_C }, { key: tagged('a', MD5_B), size: 2, hash: MD5_B }, { key: plain('a'), size: 1 }];
    const d = pendingHashChecks(planBackupUploads({ tables: [table([file('a', 1)])], differential: true, pool, ...naming }))[0]!;
    assert.deepEqual(d.candidates?.map((c) => c.key), [plain('a'), tagged('a', MD5_B), tagged('a', MD5_C)]);
  });

  test('two files whose content tags collide never get the same key; counts add up', () => {
    const files = [file('a', 1), file('b', 1), file('c', 1)];
    const pool = [{ key: plain('a'), size: 1, hash: MD5_A }, { key: plain('b'), size: 1, hash: MD5_A }];
    const plan = decide(files, new Map([['a', MD5_B], ['b', MD5_A], ['c', MD5_C]]), pool);
    assert.deepEqual(plan[0]!.files.map((f) => [f.action, f.key]), [['reupload', tagged('a', MD5_B)], ['reuse', plain('b')], ['upload', plain('c')]]);
    assert.deepEqual(countPlan(plan), { upload: 1, reupload: 1, reuse: 1, check: 0, uploadBytes: 2, reuseBytes: 1 });
  });

  test('a reused object keeps the stored key, size and hash', () => {
    assert.deepEqual(reusedManifestObject({ key: 'k', size: 3, hash: 'h' }), { path: 'k', MD5: 'h', size: 3 });
    const listed = new StoredObject('k', 3, 'h');
    assert.equal(reusedManifestObject(listed), listed, 'a listed object is its own manifest entry');
    assert.deepEqual([listed.path, listed.MD5, listed.size], ['k', 'h', 3]);
    assert.equal(new StoredObject('k', 3, undefined).MD5, null, 'no stored hash: MD5 null');
  });

  test('tables with no file keep an empty section', () => {
    const plan = planBackupUploads({ tables: [{ keyspace: 'ks', tableDir: 'e-1', files: [] }], differential: true, pool: [], ...naming });
    assert.deepEqual(plan, [{ keyspace: 'ks', tableDir: 'e-1', files: [] }]);
  });
});
