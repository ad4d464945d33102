/**
 * The one conformance suite of the snapshot route port (src/cassandra/snapshot-route.ts), run on
 * the harness's real node for every implementation: a take puts the tag's folders on disk and in
 * the listing, taking an existing tag is refused with a one-line message naming it, a clear
 * removes folders and listing entry, and clearing a tag the node does not have succeeds.
 * Each run uses its own keyspace (with flushed rows, so the snapshot holds SSTables) and tags.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import type { NodeDescriptor } from '../harness/node-descriptor.js';
import { nodetool } from '../harness/node-control.js';
import type { SnapshotRoute } from '../../src/cassandra/snapshot-route.js';
import { snapshotDirs } from '../cassandra/backup-support.js';

/** A route under test and what to undo afterwards. */
export interface RouteUnderTest {
  readonly route: SnapshotRoute;
  cleanup?(): Promise<void>;
}

/** Registers the suite for `name`; `make` is called once, before the cases. */
export function describeSnapshotRouteConformance(name: string, node: NodeDescriptor, make: () => Promise<RouteUnderTest>): void {
  describe(`snapshot route conformance: ${name}`, () => {
    const id = `${name.replace(/[^a-z]/gi, '').toLowerCase()}${process.pid}${Date.now().toString(36)}`;
    const ks = `route_${id}`.slice(0, 48);
    const tag = `medusa-route-${id}`;
    let client: Client;
    let subject: RouteUnderTest;

    before(async () => {
      client = connectCql([node]);
      await createKeyspace(client, ks);
      await createTable(client, ks, 'users');
      await writeRows(client, ks, 'users', 50);
      await flush(node, ks);
      subject = await make();
    });
    after(async () => {
      await nodetool(node, ['clearsnapshot', '-t', tag]).catch(() => undefined);
      await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => undefined);
      await client.shutdown();
      await subject?.cleanup?.();
    });

    test('take: the snapshot is on disk, with this table, and listed', async () => {
      assert.equal((await subject.route.list()).includes(tag), false);
      await subject.route.take(tag);
      const dirs = snapshotDirs(node, tag);
      assert.ok(dirs.some((d) => d.includes(`/${ks}/users-`)), `a folder of ${ks}.users in ${dirs.join(', ')}`);
      assert.ok((await subject.route.list()).includes(tag));
    });

    test('take of an existing tag: refused, one line naming the tag', async () => {
      const err = await subject.route.take(tag).then(() => undefined, (e: unknown) => e as Error);
      assert.ok(err, 'a second take of the same tag must fail');
      assert.match(err.message, new RegExp(tag));
      assert.match(err.message, /already exists/);
      assert.doesNotMatch(err.message, /\n/);
    });

    test('clear: folders gone, tag no longer listed', async () => {
      await subject.route.clear(tag);
      assert.deepEqual(snapshotDirs(node, tag).filter((d) => d.includes(`/${ks}/`)), []);
      assert.equal((await subject.route.list()).includes(tag), false);
    });

    test('clear of a tag the node does not have succeeds', async () => {
      await subject.route.clear(`never-taken-${id}`);
    });
  });
}
