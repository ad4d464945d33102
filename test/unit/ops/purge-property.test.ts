/**
 * Property test of the retention commands over many random histories: two nodes (`127.0.0.1` and
 * `127.0.0.10`, an fqdn that is a prefix of the other) take full and differential backups named
 * `b1`, `b2`, ... `b10`, ... (names that are prefixes of others) while their SSTables are flushed
 * and compacted, and now and then restored in place (generations then come back with other
 * content, stored under content-tagged keys as our differential does); some node backups crash
 * half way. Between backups, random `purge` and
 * `delete-backup` runs. After each run:
 * - every object a remaining manifest names exists with its size, and `verify` (with hashes)
 *   passes on every remaining complete backup;
 * - the newest complete backup of the purged node is still there, and with a count limit at least
 *   min(limit, complete backups before) complete backups remain;
 * - nothing of a purged backup remains (folder objects, index entries), and nothing of the other
 *   node changed unless it was asked for;
 * - a dry run changed nothing.
 * Buckets are built in memory with our own writers (index-writer + layout keys), on a fake clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listClusterBackups, listNodeBackups, type CatalogContext } from '../../../src/catalog/catalog.js';
import { setLatestBackup, writeIndexFinish, writeIndexStart } from '../../../src/catalog/index-writer.js';
import { encodeManifest, parseManifest, type ManifestObject } from '../../../src/domain/manifest.js';
import { encodeTokenMap, type TokenMapHost } from '../../../src/domain/tokenmap.js';
import { dataKey, metaKey, nodeBackupFolder, parseIndexKey, backupIndexFolder } from '../../../src/layout/keys.js';
import { contentTag } from '../../../src/layout/pool-keys.js';
import { md5Hex } from '../../../src/transfer/hashing.js';
import { deleteBackups } from '../../../src/ops/delete-backup.js';
import { purge } from '../../../src/ops/purge.js';
import { verifyBackup } from '../../../src/ops/verify.js';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { getText, listAll, putText } from '../../../src/storage/helpers.js';
import { createLogger } from '../../../src/util/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

const HOSTS = ['127.0.0.1', '127.0.0.10'] as const;
const DAY_MS = 86_400_000;
const TABLES = [
  { ks: 'ks', dir: 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1' },
  { ks: 'ks', dir: 'events-0f9e8d7cc1ef11eea2d1a3f3b8c0d9e1' },
];
const COMPONENTS = ['Data.db', 'Index.db', 'Statistics.db'];

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): { int(n: number): number; chance(p: number): boolean; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
  };
}

interface SSTable {
  readonly table: (typeof TABLES)[number];
  readonly gen: number;
  /** Bumped by each in-place restore: the same generation then has other content. */
  readonly epoch: number;
}

/** One node's live SSTables; flushes add generations, compactions replace several by one. */
class NodeData {
  private nextGen = 1;
  private epoch = 0;
  sstables: SSTable[] = [];

  flush(r: ReturnType<typeof rng>): void {
    for (let i = r.int(3) + 1; i > 0; i--) this.sstables.push({ table: r.pick(TABLES), gen: this.nextGen++, epoch: this.epoch });
  }

  /** An in-place restore to an older state: Cassandra then reuses the generations that followed it. */
  restore(r: ReturnType<typeof rng>): void {
    this.nextGen = Math.max(1, this.nextGen - 1 - r.int(4));
    this.sstables = this.sstables.filter((s) => s.gen < this.nextGen);
    this.epoch++;
  }

  compact(r: ReturnType<typeof rng>): void {
    const table = r.pick(TABLES);
    const of = this.sstables.filter((s) => s.table === table);
    if (of.length < 2) return;
    const merged = new Set(of.slice(0, 2 + r.int(of.length - 1)));
    this.sstables = [...this.sstables.filter((s) => !merged.has(s)), { table, gen: this.nextGen++, epoch: this.epoch }];
  }
}

function content(fqdn: string, s: SSTable, component: string): string {
  return `${fqdn}|${s.table.dir}|${s.gen}|${s.epoch}|${component}|`.repeat(1 + (s.gen % 5));
}

const ring = new Map<string, TokenMapHost>(HOSTS.map((h, i) => [h, { tokens: [BigInt(i) * 1000n], is_up: true, rack: 'r1', dc: 'dc1' }]));
const TOKENMAP = encodeTokenMap(ring);

/**
 * Writes one node backup the way our backup does: start index entries, data (differential: into
 * the pool, reusing what is there), and unless it crashes, the manifest and finish entries.
 */
async function backupNode(ctx: CatalogContext, clock: FakeClock, fqdn: string, name: string, data: NodeData, differential: boolean, crash: boolean): Promise<void> {
  const { storage, layout } = ctx;
  const started = Math.floor(clock.now() / 1000);
  await putText(storage, metaKey(layout, fqdn, name, 'schema.cql'), 'CREATE KEYSPACE ks;');
  await putText(storage, metaKey(layout, fqdn, name, 'tokenmap.json'), TOKENMAP);
  if (differential) await putText(storage, metaKey(layout, fqdn, name, 'differential'), 'differential');
  await writeIndexStart(ctx, { name, fqdn, started, differential, tokenmapText: TOKENMAP, schemaText: 'CREATE KEYSPACE ks;' });
  const objects: Array<{ table: SSTable['table']; object: ManifestObject }> = [];
  const files = data.sstables.flatMap((s) => COMPONENTS.map((c) => ({ s, c })));
  const upTo = crash ? Math.floor(files.length / 2) : files.length;
  for (const { s, c } of files.slice(0, upTo)) {
    const body = content(fqdn, s, c);
    let key = dataKey(layout, fqdn, name, differential, s.table.ks, s.table.dir, `nb-${s.gen}-big-${c}`);
    // A name stored with other content (after a restore) goes under its content-tagged key.
    if (differential && (await storage.stat(key)) && (await storage.stat(key))!.hash !== md5Hex(Buffer.from(body))) {
      key = dataKey(layout, fqdn, name, differential, s.table.ks, s.table.dir, `nb-${s.gen}-big-${c}`, contentTag(md5Hex(Buffer.from(body))));
    }
    const existing = differential ? await storage.stat(key) : undefined;
    const info = existing ?? (await putText(storage, key, body));
    clock.advance(1000);
    objects.push({ table: s.table, object: { path: key, MD5: info.hash ?? null, size: info.size } });
  }
  if (crash) return;
  const manifest = encodeManifest(
    TABLES.map((t) => ({ keyspace: t.ks, columnfamily: t.dir, objects: objects.filter((o) => o.table === t).map((o) => o.object) })),
  );
  await putText(storage, metaKey(layout, fqdn, name, 'manifest.json'), manifest);
  const finished = Math.floor(clock.now() / 1000);
  await writeIndexFinish(ctx, { name, fqdn, finished, manifestText: manifest });
  await setLatestBackup(ctx, { name, fqdn, tokenmapText: TOKENMAP });
}

async function allKeys(storage: MemoryBackend): Promise<string[]> {
  return (await listAll(storage, '')).map((o) => o.key);
}

/** The keys that belong to node `fqdn`: its folder and its own index entries. */
function keysOfNode(ctx: CatalogContext, keys: readonly string[], fqdn: string): string[] {
  const folder = nodeBackupFolder(ctx.layout, fqdn, 'x').slice(0, -'x/'.length);
  return keys.filter((k) => k.startsWith(folder) || parseIndexKey(ctx.layout, k)?.fqdn === fqdn);
}

/** The invariants every run must leave in place. */
async function checkInvariants(ctx: CatalogContext, where: string): Promise<void> {
  const stored = new Map((await listAll(ctx.storage, '')).map((o) => [o.key, o.size]));
  for (const nb of await listNodeBackups(ctx)) {
    if (nb.finished === undefined) continue;
    const key = metaKey(ctx.layout, nb.fqdn, nb.name, 'manifest.json');
    for (const section of parseManifest(await getText(ctx.storage, key), key)) {
      for (const o of section.objects) assert.equal(stored.get(o.path), o.size, `${where}: ${o.path} of ${nb.name}/${nb.fqdn} is missing or resized`);
    }
  }
  for (const backup of await listClusterBackups(ctx)) {
    if (!backup.complete) continue;
    const report = await verifyBackup(ctx, backup.name, true);
    assert.deepEqual(report.problems, [], `${where}: verify ${backup.name}`);
  }
}

async function completeNames(ctx: CatalogContext, fqdn: string): Promise<string[]> {
  return (await listClusterBackups(ctx)).filter((b) => b.complete && b.completeNodes.some((nb) => nb.fqdn === fqdn)).map((b) => b.name);
}

async function runHistory(seed: number): Promise<{ purges: number; deletes: number; purgedBackups: number }> {
  const r = rng(seed);
  const clock = new FakeClock({ start: 1_700_000_000_000 });
  const storage = new MemoryBackend({ clock, maxDeleteBatch: 1 + r.int(50) });
  const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined });
  const ctx = { storage, layout: { prefix: r.chance(0.5) ? 'tenant' : '' }, log, clock };
  const data = new Map(HOSTS.map((h) => [h, new NodeData()]));
  let purges = 0;
  let deletes = 0;
  let purgedBackups = 0;
  const steps = 12 + r.int(14);
  for (let i = 1; i <= steps; i++) {
    const name = `b${i}`;
    const differential = r.chance(0.75);
    for (const host of HOSTS) {
      const d = data.get(host)!;
      if (r.chance(0.2)) d.restore(r);
      d.flush(r);
      if (r.chance(0.4)) d.compact(r);
      await backupNode(ctx, clock, host, name, d, differential, r.chance(0.15));
    }
    clock.advance((r.int(3) + 1) * DAY_MS - r.int(3600) * 1000);

    if (!r.chance(0.35)) continue;
    const before = await allKeys(storage);
    const other = keysOfNode(ctx, before, HOSTS[1]);
    const fqdn = HOSTS[0];
    const graceDays = r.pick([0, 0, 1, 3, 10]);
    if (r.chance(0.7)) {
      const policy = { maxBackupAgeDays: r.pick([0, 0, 5, 12, 30]), maxBackupCount: r.pick([0, 1, 2, 3, 5]) };
      const completeBefore = await completeNames(ctx, fqdn);
      const dry = await purge(ctx, { fqdn, policy, graceDays, dryRun: true });
      assert.deepEqual(await allKeys(storage), before, `seed ${seed} step ${i}: dry run changed the bucket`);
      const report = await purge(ctx, { fqdn, policy, graceDays, dryRun: false });
      assert.deepEqual(report.totals, dry.totals, `seed ${seed} step ${i}: the dry run announced other figures`);
      purges++;
      purgedBackups += report.totals.nbBackupsPurged;
      const completeAfter = await completeNames(ctx, fqdn);
      const newest = completeBefore[completeBefore.length - 1];
      if (newest !== undefined) assert.ok(completeAfter.includes(newest), `seed ${seed} step ${i}: newest complete ${newest} purged`);
      if (policy.maxBackupCount > 0 && policy.maxBackupAgeDays === 0) {
        assert.ok(completeAfter.length >= Math.min(policy.maxBackupCount, completeBefore.length), `seed ${seed} step ${i}: too few complete backups left`);
      }
      const after = await allKeys(storage);
      for (const d of report.nodes.flatMap((n) => n.plan.backups)) {
        const folder = nodeBackupFolder(ctx.layout, fqdn, d.deletion.backup.name);
        assert.ok(!after.some((k) => k.startsWith(folder)), `seed ${seed}: ${folder} left behind`);
        assert.ok(!after.some((k) => { const e = parseIndexKey(ctx.layout, k); return e?.fqdn === fqdn && e.backupName === d.deletion.backup.name; }));
      }
      assert.deepEqual(keysOfNode(ctx, after, HOSTS[1]), other, `seed ${seed} step ${i}: purge of ${fqdn} touched ${HOSTS[1]}`);
    } else {
      const names = [...new Set((await listNodeBackups(ctx)).map((nb) => nb.name))];
      if (names.length === 0) continue;
      const chosen = [...new Set([r.pick(names), r.pick(names)])];
      const allNodes = r.chance(0.5);
      await deleteBackups(ctx, { names: chosen, allNodes, fqdn, graceDays, dryRun: false });
      deletes++;
      const after = await allKeys(storage);
      for (const host of allNodes ? HOSTS : [fqdn]) {
        for (const n of chosen) assert.ok(!after.some((k) => k.startsWith(nodeBackupFolder(ctx.layout, host, n))), `seed ${seed}: ${n} of ${host} left behind`);
      }
      if (!allNodes) assert.deepEqual(keysOfNode(ctx, after, HOSTS[1]), other, `seed ${seed} step ${i}: delete on ${fqdn} touched ${HOSTS[1]}`);
    }
    await checkInvariants(ctx, `seed ${seed} step ${i}`);
    // The index never keeps entries of a node backup whose folder is gone.
    const keys = await allKeys(storage);
    for (const k of keys) {
      const e = parseIndexKey(ctx.layout, k);
      if (e && k.startsWith(backupIndexFolder(ctx.layout))) {
        assert.ok(keys.some((x) => x.startsWith(nodeBackupFolder(ctx.layout, e.fqdn, e.backupName))), `seed ${seed}: index entry ${k} outlived its backup`);
      }
    }
  }
  return { purges, deletes, purgedBackups };
}

describe('purge and delete-backup over random histories', () => {
  test('never lose a file a remaining backup needs', async () => {
    let purges = 0;
    let deletes = 0;
    let purged = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const r = await runHistory(seed);
      purges += r.purges;
      deletes += r.deletes;
      purged += r.purgedBackups;
    }
    // The generator must actually exercise the code: many runs, many backups purged.
    assert.ok(purges > 80 && deletes > 30 && purged > 150, `purges ${purges}, deletes ${deletes}, backups purged ${purged}`);
  });
});
