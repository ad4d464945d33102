/** `nodetool listsnapshots` parsing: Cassandra 4.0 and 5.0 output, tags with spaces, no snapshots. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListSnapshots } from '../../../src/cassandra/list-snapshots.js';

test('Cassandra 4.0 output (as captured from a real node)', () => {
  const out = [
    'Snapshot Details: ',
    'Snapshot name   Keyspace name Column family name True size Size on disk',
    'medusa-backup-1 medusa_ks     users              5.7 KiB   6.5 KiB     ',
    '',
    'Total TrueDiskSpaceUsed: 5.7 KiB',
    '',
  ].join('\n');
  assert.deepEqual(parseListSnapshots(out), ['medusa-backup-1']);
});

test('Cassandra 5.0 output: creation and expiration columns, a tag with a space, one tag per table', () => {
  const out = [
    'Snapshot Details: ',
    'Snapshot name Keyspace name      Column family name             True size Size on disk Creation time            Expiration time',
    'medusa-exp1   system             paxos_repair_history           110 bytes 110 bytes    2026-11-21T10:04:49.558Z                ',
    'medusa-exp1   system_schema      tables                         169 bytes 24.1 KiB     2026-11-21T10:04:49.558Z                ',
    'medusa-a b    system             paxos_repair_history           110 bytes 110 bytes    2026-11-21T10:05:04.300Z                ',
    'other         system_auth        roles                          129 bytes 5.27 KiB     2026-11-21T10:04:49.558Z                ',
    '',
    'Total TrueDiskSpaceUsed: 0 bytes',
    '',
  ].join('\n');
  assert.deepEqual(parseListSnapshots(out), ['medusa-exp1', 'medusa-a b', 'other']);
});

test('no snapshots', () => {
  assert.deepEqual(parseListSnapshots('Snapshot Details: \nThere are no snapshots\n'), []);
  assert.deepEqual(parseListSnapshots(''), []);
});
