/**
 * The backup operation against fake Cassandra ports (a snapshot folder made by copying files, fixed
 * metadata) and the memory/local backends: order of writes, reuse, hash checks, every failure path.
 */
import assert from 'node:assert/strict';
import { hashBytes, md5Hex } from '../../../src/transfer/hashing.js';
import { partSizeFor } from '../../../src/storage/backends/s3/options.js';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findSnapshotTables, snapshotExists } from '../../../src/cassandra/snapshot-files.js';
import type { MetadataPort, SnapshotPort } from '../../../src/cassandra/types.js';
import { parseManifest } from '../../../src/domain/manifest.js';
import type { MetricTags } from '../../../src/monitoring/types.js';
import { backupNode, type BackupNodeContext, type BackupNodeOptions } from '../../../src/ops/backup-node.js';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { getText, listAll } from '../../../src/storage/helpers.js';
import type { ByteSource, ObjectInfo, PutOptions, StorageBackend } from '../../../src/storage/types.js';
import { HashCache } from '../../../src/transfer/hash-cache.js';
import { systemClock } from '../../../src/util/clock.js';
import { OperationAbortedError } from '../../../src/util/errors.js';
import { createLogger } from '../../../src/util/logger.js';

const root = mkdtempSync(join(tmpdir(), 'medusa-backup-op-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Hard-links a tree, as Cassandra's snapshots do (so a file keeps its inode across snapshots). */
function linkTree(from: string, to: string): void {
  if (!existsSync(from)) return;
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) {
      mkdirSync(join(to, e.name), { recursive: true });
      linkTree(join(from, e.name), join(to, e.name));
    } else linkSync(join(from, e.name), join(to, e.name));
  }
}

/** A node whose "live" table files are copied into snapshots/<tag>/ by create(). */
function fakeNode(name: string, options: { failCreate?: boolean; failClear?: boolean } = {}) {
  const data = join(root, name, 'data');
  const live = join(root, name, 'live');
  const calls: string[] = [];
  const write = (rel: string, content: string): void => {
    mkdirSync(join(live, rel, '..'), { recursive: true });
    // A new file (new inode), as Cassandra writes new SSTables rather than changing old ones.
    rmSync(join(live, rel), { force: true });
    writeFileSync(join(live, rel), content);
  };
  const snapshots: SnapshotPort = {
    dataDirs: [data],
    exists: (tag) => snapshotExists([data], tag),
    create: (tag) => {
      calls.push(`create ${tag}`);
      if (options.failCreate) return Promise.reject(new Error('nodetool snapshot failed (exit status 1)'));
      mkdirSync(data, { recursive: true });
      for (const t of ['ks/t-1', 'ks/t-2', 'ks/e-3']) {
        const dst = join(data, t, 'snapshots', tag);
        mkdirSync(dst, { recursive: true });
        writeFileSync(join(dst, 'manifest.json'), '{}');
        linkTree(join(live, t), dst);
      }
      return Promise.resolve();
    },
    clear: (tag) => {
      calls.push(`clear ${tag}`);
      if (options.failClear) return Promise.reject(new Error('nodetool clearsnapshot failed'));
      for (const t of ['ks/t-1', 'ks/t-2', 'ks/e-3']) rmSync(join(data, t, 'snapshots', tag), { recursive: true, force: true });
      return Promise.resolve();
    },
    tables: (tag) => findSnapshotTables([data], tag),
  };
  return { snapshots, calls, write };
}

const metadata: MetadataPort = {
  read: () => Promise.resolve({
    schema: 'CREATE KEYSPACE ks;',
    tokenmap: new Map([['node1', { tokens: [-9223372036854775808n], is_up: true, rack: 'r1', dc: 'dc1' }]]),
    serverVersion: { server_type: 'cassandra', release_version: '5.0.9' },
  }),
};

/** Records put order (a `flush` as `<flush>`) and the keys put with `durable: false`; can fail puts of keys matching a pattern. */
class RecordingBackend extends MemoryBackend {
  readonly puts: string[] = [];
  readonly notDurable = new Set<string>();
  failPut: RegExp | undefined;
  /** Called with each key put, before it is stored. */
  onPut: ((key: string) => void) | undefined;
  flush(): Promise<void> {
    this.puts.push('<flush>');
    return Promise.resolve();
  }
  override async put(key: string, source: ByteSource, options?: PutOptions): Promise<ObjectInfo> {
    this.puts.push(key);
    this.onPut?.(key);
    if (options?.durable === false) this.notDurable.add(key);
    if (this.failPut?.test(key)) throw new Error(`injected failure on ${key}`);
    return super.put(key, source, options);
  }
}

/**
 * A memory store that reports S3 ETags: objects of `MULTIPART_FROM` bytes or more get the
 * multipart form `<md5 of part md5s>-<n>` (parts of `partSizeFor(size, chunk)`), as an S3 upload
 * of that size does; smaller ones the hex MD5.
 */
const MULTIPART_FROM = 1024 * 1024;
class EtagBackend extends MemoryBackend {
  override readonly capabilities = { hashKind: 's3-etag' as const, maxDeleteBatch: 1000, listingHasHash: true };
  private readonly etags = new Map<string, string>();
  constructor(private readonly chunk: number) {
    super();
  }
  private etag(info: ObjectInfo): ObjectInfo {
    const etag = this.etags.get(info.key);
    return etag ? { ...info, hash: etag } : info;
  }
  override async put(key: string, source: ByteSource, options?: PutOptions): Promise<ObjectInfo> {
    const info = await super.put(key, source, options);
    if (info.size >= MULTIPART_FROM) {
      const chunks: Buffer[] = [];
      for await (const c of await super.get(key)) chunks.push(c as Buffer);
      this.etags.set(key, hashBytes(Buffer.concat(chunks), { s3Etag: { partSize: partSizeFor(info.size, this.chunk), threshold: 0 } }).s3Etag!);
    } else this.etags.delete(key);
    return this.etag(info);
  }
  override async stat(key: string): Promise<ObjectInfo | undefined> {
    const info = await super.stat(key);
    return info && this.etag(info);
  }
  override async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const info of super.list(prefix)) yield this.etag(info);
  }
}

const quiet = createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined });

function context(storage: StorageBackend, node: ReturnType<typeof fakeNode>, extra: Partial<BackupNodeContext> = {}): BackupNodeContext & { sent: Array<[MetricTags, number]> } {
  const sent: Array<[MetricTags, number]> = [];
  return {
    storage, layout: { prefix: 'pre' }, log: quiet, fqdn: 'node1', clock: systemClock, snapshots: node.snapshots, metadata,
    concurrentTransfers: 2, md5CheckConcurrency: 2, multipartChunksize: 8 * 1024 * 1024,
    metrics: { send: (tags, value) => { sent.push([tags, value]); return Promise.resolve(); }, close: () => Promise.resolve() },
    sent, ...extra,
  };
}

const opts = (backupName: string, o: Partial<BackupNodeOptions> = {}): BackupNodeOptions => ({
  backupName, mode: 'differential', checkHashes: false, keepSnapshot: false, useExistingSnapshot: false, ...o,
});

describe('backupNode', () => {
  test('writes metadata and index first, data next, the manifest last, then index finish and latest_backup', async () => {
    const node = fakeNode('order');
    node.write('ks/t-1/nb-1-big-Data.db', 'hello');
    node.write('ks/t-1/.t_idx/nb-1-big-Data.db', 'idx');
    node.write('ks/t-2/nb-1-big-Rows.db', '');
    const storage = new RecordingBackend();
    const ctx = context(storage, node);
    const r = await backupNode(ctx, opts('b1', { mode: 'full' }));
    assert.equal(r.uploaded, 3);
    const p = storage.puts;
    assert.deepEqual(p.slice(0, 3), ['pre/node1/b1/meta/schema.cql', 'pre/node1/b1/meta/tokenmap.json', 'pre/node1/b1/meta/server_version.json']);
    assert.match(p[3]!, /^pre\/index\/backup_index\/b1\/tokenmap_node1\.json$/);
    const manifestAt = p.indexOf('pre/node1/b1/meta/manifest.json');
    const lastData = Math.max(...p.map((k, i) => (k.includes('/b1/data/') ? i : -1)));
    assert.ok(manifestAt > lastData, 'manifest after every data object');
    // Data objects skip their own flush; one store flush makes them durable before the manifest.
    assert.deepEqual([...storage.notDurable].sort(), p.filter((k) => k.includes('/b1/data/')).sort());
    assert.equal(p[manifestAt - 1], '<flush>');
    assert.equal(p.filter((k) => k === '<flush>').length, 1);
    assert.deepEqual(p.slice(manifestAt + 1).map((k) => k.replace(/_\d+\.timestamp$/, '_T.timestamp')), [
      'pre/index/backup_index/b1/manifest_node1.json', 'pre/index/backup_index/b1/finished_node1_T.timestamp',
      'pre/index/latest_backup/node1/tokenmap.json', 'pre/index/latest_backup/node1/backup_name.txt',
    ]);
    const manifest = parseManifest(await getText(storage, 'pre/node1/b1/meta/manifest.json'), 'm');
    assert.deepEqual(manifest.map((s) => [s.keyspace, s.columnfamily, s.objects.map((o) => [o.path, o.size, o.MD5])]), [
      ['ks', 'e-3', []],
      ['ks', 't-1', [
        ['pre/node1/b1/data/ks/t-1/.t_idx/nb-1-big-Data.db', 3, await getHex(storage, 'pre/node1/b1/data/ks/t-1/.t_idx/nb-1-big-Data.db')],
        ['pre/node1/b1/data/ks/t-1/nb-1-big-Data.db', 5, '5d41402abc4b2a76b9719d911017c592'],
      ]],
      ['ks', 't-2', [['pre/node1/b1/data/ks/t-2/nb-1-big-Rows.db', 0, 'd41d8cd98f00b204e9800998ecf8427e']]],
    ]);
    assert.equal(await storage.stat('pre/node1/b1/meta/differential'), undefined);
    assert.deepEqual(node.calls, ['create medusa-b1', 'clear medusa-b1']);
    assert.deepEqual(ctx.sent.map(([t, v]) => [t[1], t[1] === 'backup-duration' ? 'd' : v]), [['backup-duration', 'd'], ['backup-size', 8], ['backup-error', 0]]);
  });

  test('differential: the pool is reused; new files are uploaded, a changed one under a new key (never over the stored one)', async () => {
    const node = fakeNode('diff');
    node.write('ks/t-1/nb-1-big-Data.db', 'aaaa');
    node.write('ks/t-1/nb-2-big-Data.db', 'bbbb');
    const storage = new RecordingBackend();
    const first = await backupNode(context(storage, node), opts('d1'));
    assert.deepEqual([first.uploaded, first.kept], [2, 0]);
    assert.equal(await getText(storage, 'pre/node1/d1/meta/differential'), 'differential');
    const second = await backupNode(context(storage, node), opts('d2'));
    assert.deepEqual([second.uploaded, second.replaced, second.kept], [0, 0, 2]);
    node.write('ks/t-1/nb-3-big-Data.db', 'cc');
    node.write('ks/t-1/nb-2-big-Data.db', 'bbbbb');
    const third = await backupNode(context(storage, node), opts('d3'));
    assert.deepEqual([third.uploaded, third.replaced, third.kept], [2, 1, 1]);
    const m = parseManifest(await getText(storage, 'pre/node1/d3/meta/manifest.json'), 'm');
    const tag = md5Hex(Buffer.from('bbbbb'));
    assert.deepEqual(m.find((s) => s.columnfamily === 't-1')!.objects.map((o) => o.path), [
      'pre/node1/data/ks/t-1/nb-1-big-Data.db', `pre/node1/data/ks/t-1~${tag}/nb-2-big-Data.db`, 'pre/node1/data/ks/t-1/nb-3-big-Data.db',
    ]);
    assert.equal(await getText(storage, 'pre/node1/data/ks/t-1/nb-2-big-Data.db'), 'bbbb', 'd1 and d2 still have their bytes');
    const fourth = await backupNode(context(storage, node), opts('d4'));
    assert.deepEqual([fourth.uploaded, fourth.kept], [0, 3], 'the tagged copy is reused by the next differential');
  });

  test('hash checks: a same-size change is caught and re-uploaded; unchanged files are hashed once (cache)', async () => {
    const node = fakeNode('md5');
    node.write('ks/t-1/nb-1-big-Data.db', 'same');
    node.write('ks/t-1/nb-2-big-Data.db', 'abcd');
    const storage = new MemoryBackend();
    const cache = HashCache.inMemory();
    await backupNode(context(storage, node, { hashCache: cache }), opts('m1', { checkHashes: true }));
    node.write('ks/t-1/nb-2-big-Data.db', 'abce');
    const r = await backupNode(context(storage, node, { hashCache: cache }), opts('m2', { checkHashes: true }));
    assert.deepEqual([r.uploaded, r.replaced, r.kept], [1, 1, 1]);
    const before = cache.stats.misses;
    const r3 = await backupNode(context(storage, node, { hashCache: cache }), opts('m3', { checkHashes: true }));
    assert.deepEqual([r3.uploaded, r3.kept], [0, 2]);
    assert.equal(cache.stats.misses, before, 'no file read again');
  });

  test('S3 multipart ETags: compared in their own form; a same-size change goes under its MD5 tag, computed only then', async () => {
    const node = fakeNode('etag');
    const big = (fill: string) => fill.repeat(6 * 1024 * 1024);
    node.write('ks/t-1/nb-1-big-Data.db', big('a'));
    node.write('ks/t-1/nb-1-big-Index.db', 'small');
    const storage = new EtagBackend(5 * 1024 * 1024);
    const cache = HashCache.inMemory();
    const ctx = context(storage, node, { hashCache: cache, multipartChunksize: 5 * 1024 * 1024 });
    await backupNode(ctx, opts('s1'));
    const plain = 'pre/node1/data/ks/t-1/nb-1-big-Data.db';
    assert.match((await storage.stat(plain))!.hash!, /-2$/, 'a multipart ETag');
    const r2 = await backupNode(ctx, opts('s2'));
    assert.deepEqual([r2.uploaded, r2.kept], [0, 2], 'unchanged: reused by ETag');
    node.write('ks/t-1/nb-1-big-Data.db', big('b'));
    const r3 = await backupNode(ctx, opts('s3'));
    assert.deepEqual([r3.uploaded, r3.replaced, r3.kept], [1, 1, 1]);
    const tagged = `pre/node1/data/ks/t-1~${md5Hex(Buffer.from(big('b')))}/nb-1-big-Data.db`;
    const m3 = parseManifest(await getText(storage, 'pre/node1/s3/meta/manifest.json'), 'm');
    assert.ok(m3.flatMap((s) => s.objects).some((o) => o.path === tagged), JSON.stringify(m3));
    assert.equal(await getText(storage, plain), big('a'), 's1 and s2 keep their bytes');
    const r4 = await backupNode(ctx, opts('s4'));
    assert.deepEqual([r4.uploaded, r4.kept], [0, 2], 'the tagged copy is reused');
  });

  test('an existing backup name fails before anything is written, and clears a stale snapshot of that name', async () => {
    const node = fakeNode('exists');
    node.write('ks/t-1/nb-1-big-Data.db', 'x');
    const storage = new RecordingBackend();
    await backupNode(context(storage, node), opts('e1'));
    await node.snapshots.create('medusa-e1');
    const count = (await listAll(storage, '')).length;
    await assert.rejects(backupNode(context(storage, node), opts('e1')), /Backup e1 already exists for node1/);
    assert.equal((await listAll(storage, '')).length, count);
    assert.equal(await node.snapshots.exists('medusa-e1'), false);
  });

  test('a failing snapshot fails the backup (no manifest) and the snapshot is cleared; backup-error = 1', async () => {
    const node = fakeNode('snapfail', { failCreate: true });
    const storage = new MemoryBackend();
    const ctx = context(storage, node);
    await assert.rejects(backupNode(ctx, opts('f1')), /nodetool snapshot failed/);
    assert.deepEqual(node.calls, ['create medusa-f1', 'clear medusa-f1']);
    assert.equal(await storage.stat('pre/node1/f1/meta/manifest.json'), undefined);
    assert.deepEqual(ctx.sent.at(-1), [['medusa-node-backup', 'backup-error', 'f1'], 1]);
  });

  test('a snapshot with no files fails the backup and is cleared', async () => {
    const node = fakeNode('empty');
    const storage = new MemoryBackend();
    await assert.rejects(backupNode(context(storage, node), opts('z1')), /holds no files/);
    assert.deepEqual(node.calls, ['create medusa-z1', 'clear medusa-z1']);
    assert.equal(await storage.stat('pre/node1/z1/meta/manifest.json'), undefined);
  });

  test('a failed upload fails the backup: no manifest, snapshot cleared, even when clearing fails', async () => {
    const node = fakeNode('upfail', { failClear: true });
    for (let i = 0; i < 6; i++) node.write(`ks/t-1/nb-${i}-big-Data.db`, `data ${i}`);
    const storage = new RecordingBackend();
    storage.failPut = /nb-3-big/;
    await assert.rejects(backupNode(context(storage, node), opts('u1')), /injected failure on .*nb-3-big-Data\.db/);
    assert.ok(node.calls.includes('clear medusa-u1'));
    assert.equal(await storage.stat('pre/node1/u1/meta/manifest.json'), undefined);
  });

  test('--keep-snapshot keeps it; --use-existing-snapshot backs up snapshot <name> and requires it', async () => {
    const node = fakeNode('keep');
    node.write('ks/t-1/nb-1-big-Data.db', 'x');
    const storage = new MemoryBackend();
    await backupNode(context(storage, node), opts('k1', { keepSnapshot: true }));
    assert.deepEqual(node.calls, ['create medusa-k1']);
    assert.equal(await node.snapshots.exists('medusa-k1'), true);
    await assert.rejects(backupNode(context(storage, node), opts('k2', { useExistingSnapshot: true })), /Snapshot k2 does not exist/);
    await node.snapshots.create('k3');
    node.calls.length = 0;
    const r = await backupNode(context(storage, node), opts('k3', { useExistingSnapshot: true }));
    assert.equal(r.kept, 1);
    assert.deepEqual(node.calls, ['clear k3']);
  });

  test('an abort during the uploads stops the backup: no manifest, snapshot cleared, backup-error = 1', async () => {
    const node = fakeNode('abort-upload');
    for (let i = 0; i < 6; i++) node.write(`ks/t-1/nb-${i}-big-Data.db`, `data ${i}`);
    const storage = new RecordingBackend();
    const stop = new AbortController();
    storage.onPut = (key) => {
      if (key.includes('/data/')) stop.abort(new Error('SIGTERM'));
    };
    const ctx = context(storage, node, { signal: stop.signal, concurrentTransfers: 1 });
    await assert.rejects(backupNode(ctx, opts('a1')), (err: unknown) => {
      assert.ok(err instanceof OperationAbortedError);
      assert.equal(err.message, 'Backup a1 stopped: SIGTERM');
      return true;
    });
    assert.equal(storage.puts.filter((k) => k.includes('/data/')).length, 1, 'no upload starts after the abort');
    assert.equal(await storage.stat('pre/node1/a1/meta/manifest.json'), undefined);
    assert.ok(!storage.puts.some((k) => k.includes('latest_backup') || k.includes('finished_')));
    assert.deepEqual(node.calls, ['create medusa-a1', 'clear medusa-a1']);
    assert.deepEqual(ctx.sent.at(-1), [['medusa-node-backup', 'backup-error', 'a1'], 1]);
  });

  test('an abort while waiting for the previous node (--stagger) ends the wait at once, before any snapshot', async () => {
    const node = fakeNode('abort-stagger');
    node.write('ks/t-1/nb-1-big-Data.db', 'x');
    const twoNodes: MetadataPort = {
      read: async () => ({
        ...(await metadata.read()),
        tokenmap: new Map([
          ['node0', { tokens: [-100n], is_up: true, rack: 'r1', dc: 'dc1' }],
          ['node1', { tokens: [100n], is_up: true, rack: 'r1', dc: 'dc1' }],
        ]),
      }),
    };
    const stop = new AbortController();
    const ctx = context(new MemoryBackend(), node, { metadata: twoNodes, signal: stop.signal });
    const started = Date.now();
    setTimeout(() => stop.abort(new Error('shutting down')), 50);
    await assert.rejects(backupNode(ctx, opts('a2', { stagger: 3600 })), (err: unknown) => err instanceof OperationAbortedError && err.message === 'Backup a2 stopped: shutting down');
    assert.ok(Date.now() - started < 30_000, 'the 60 s poll was cut short');
    assert.deepEqual(node.calls, []);
  });

  test('a signal aborted before the start writes nothing', async () => {
    const node = fakeNode('abort-early');
    node.write('ks/t-1/nb-1-big-Data.db', 'x');
    const storage = new RecordingBackend();
    await assert.rejects(backupNode(context(storage, node, { signal: AbortSignal.abort(new Error('stop')) }), opts('a3')), OperationAbortedError);
    assert.deepEqual(storage.puts, []);
    assert.deepEqual(node.calls, []);
  });
});

async function getHex(storage: StorageBackend, key: string): Promise<string | undefined> {
  return (await storage.stat(key))?.hash;
}
