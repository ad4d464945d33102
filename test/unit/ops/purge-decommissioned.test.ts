/**
 * `purge-decommissioned` with the live hosts given (no Cassandra): on local buckets written from
 * the layout spec, with and without a prefix, beside another deployment's prefix folder; nodes whose
 * fqdn is a prefix of another's; the refusals that keep a naming mismatch from deleting everything.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { purgeDecommissioned } from '../../../src/ops/purge-decommissioned.js';
import { LocalBackend } from '../../../src/storage/backends/local.js';
import { systemClock } from '../../../src/util/clock.js';
import { OperationError } from '../../../src/util/errors.js';
import { createLogger } from '../../../src/util/logger.js';
import { writeFixtureBucket, type FixtureNodeBackup } from '../../support/fixture-bucket.js';
import { scratchDir } from '../../support/cli.js';

const scratch = scratchDir('medusa-decommission-');
after(() => scratch.cleanup());

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const TABLE = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const HOSTS = ['127.0.0.1', '127.0.0.10', '127.0.0.2'];
/** The node running the command (named in its metrics only). */
const FQDN = '127.0.0.1';

function backup(name: string, fqdn: string, daysAgo: number, gen: number): FixtureNodeBackup {
  const started = NOW - daysAgo * DAY;
  return {
    name,
    fqdn,
    mode: 'differential',
    started,
    finished: started + 60,
    tokenmap: Object.fromEntries(HOSTS.map((h, i) => [h, { tokens: [BigInt(i)], isUp: true, rack: 'r1', dc: h === '127.0.0.2' ? 'dc2' : 'dc1' }])),
    sections: [{ keyspace: 'ks', columnfamily: TABLE, objects: [{ file: `nb-${gen}-big-Data.db`, content: `${fqdn}:${gen}`.repeat(20) }] }],
  };
}

/** Two backups of every host: one old (30 days), one recent (2 days: its pool object is within the grace period). */
function cluster(): FixtureNodeBackup[] {
  return HOSTS.flatMap((h) => [backup('b1', h, 30, 1), backup('b10', h, 2, 2)]);
}

function keysOf(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

let n = 0;
function setup(prefix: string): { root: string; ctx: Parameters<typeof purgeDecommissioned>[0]; lines: string[] } {
  const dir = join(scratch.dir, `case${n++}`);
  writeFixtureBucket(dir, 'bucket', { nodeBackups: cluster(), ...(prefix ? { prefix } : {}) });
  // Another deployment in the same bucket, under its own prefix: never a node of ours.
  writeFixtureBucket(dir, 'bucket', { prefix: prefix ? `${prefix}-other` : 'other', nodeBackups: [backup('b1', 'stranger', 30, 1)] });
  const root = join(dir, 'bucket');
  const lines: string[] = [];
  const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: (l) => lines.push(l) });
  return { root, ctx: { storage: new LocalBackend({ root }), layout: { prefix }, log, clock: systemClock }, lines };
}

describe('purge-decommissioned', () => {
  for (const prefix of ['', 'tenant']) {
    const p = prefix ? `${prefix}/` : '';
    test(`purges only nodes absent from every DC, whole fqdn segments (prefix "${prefix}")`, async () => {
      const { root, ctx, lines } = setup(prefix);
      const before = keysOf(root);
      // 127.0.0.2 lives in another DC: still live. 127.0.0.10 is gone.
      const live = new Set(['127.0.0.1', '127.0.0.2']);
      const dry = await purgeDecommissioned(ctx, { liveHosts: live, graceDays: 10, dryRun: true, fqdn: FQDN });
      assert.deepEqual(keysOf(root), before);
      assert.deepEqual(dry.bucketNodes, HOSTS);
      assert.deepEqual(dry.decommissioned, ['127.0.0.10']);

      const report = await purgeDecommissioned(ctx, { liveHosts: live, graceDays: 10, dryRun: false, fqdn: FQDN });
      assert.deepEqual(report.totals, dry.totals);
      assert.equal(report.totals.nbBackupsPurged, 2);
      assert.equal(report.totals.totalObjectsWithinGcGrace, 1);
      const after = keysOf(root);
      const gone = before.filter((k) => !after.includes(k));
      // Everything of 127.0.0.10 except its young pool object; nothing of anyone else.
      assert.ok(gone.length > 0);
      for (const k of gone) assert.ok(k.startsWith(`${p}127.0.0.10/`) || k.includes('127.0.0.10'), k);
      assert.deepEqual(after.filter((k) => k.includes('127.0.0.10')), [`${p}127.0.0.10/data/ks/${TABLE}/nb-2-big-Data.db`]);
      for (const k of before.filter((x) => x.includes('stranger') || x.includes('127.0.0.1/') || x.includes('127.0.0.2'))) assert.ok(after.includes(k), k);
      assert.ok(lines.includes('INFO: Decommissioned node backups to purge: 127.0.0.10'), lines.join('\n'));

      // Next run, the young pool object is the only trace of the node; with no grace it goes too.
      const again = await purgeDecommissioned(ctx, { liveHosts: live, graceDays: 0, dryRun: false, fqdn: FQDN });
      assert.deepEqual(again.decommissioned, ['127.0.0.10']);
      assert.equal(again.totals.nbObjectsPurged, 1);
      assert.ok(!keysOf(root).some((k) => k.includes('127.0.0.10')));
      const last = await purgeDecommissioned(ctx, { liveHosts: live, graceDays: 0, dryRun: false, fqdn: FQDN });
      assert.deepEqual(last.decommissioned, []);
    });
  }

  test('refuses when no node with backups is live (hosts named differently), deleting nothing', async () => {
    const { root, ctx } = setup('');
    const before = keysOf(root);
    await assert.rejects(purgeDecommissioned(ctx, { liveHosts: new Set(['node1.example.com']), graceDays: 0, dryRun: false, fqdn: FQDN }), (err: unknown) => {
      assert.ok(err instanceof OperationError);
      assert.match(err.message, /None of the 3 nodes with backups .* is in the live topology .*Nothing was purged/);
      return true;
    });
    await assert.rejects(purgeDecommissioned(ctx, { liveHosts: new Set(), graceDays: 0, dryRun: false, fqdn: FQDN }), /lists no host/);
    assert.deepEqual(keysOf(root), before);
  });
});
