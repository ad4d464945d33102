import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterDecision, filterProblems, filterSections, tableNameOf, type RestoreFilter } from '../../../src/plan/restore-filter.js';

const SECTIONS = [
  { keyspace: 'app', columnfamily: 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1' },
  { keyspace: 'app', columnfamily: 'orders-00000000000000000000000000000001' },
  { keyspace: 'other', columnfamily: 'events-00000000000000000000000000000002' },
  { keyspace: 'system', columnfamily: 'local-7ad54392bcdd35a684174e047860b377' },
  { keyspace: 'system_schema', columnfamily: 'tables-afddfb9dbc1e30688056eed6c302ba09' },
  { keyspace: 'system_auth', columnfamily: 'roles-5bc52802de2535edaeab188eecebb090' },
  { keyspace: 'system_distributed', columnfamily: 'repair_history-759fffad624b318180eefa9a52d1f627' },
  { keyspace: 'system_traces', columnfamily: 'sessions-c5e99f1686773914b17e960613512345' },
];

const keptNames = (filter: RestoreFilter): string[] => filterSections(SECTIONS, filter).kept.map((s) => `${s.keyspace}.${tableNameOf(s.columnfamily)}`);

test('table name is the table directory name up to the first dash', () => {
  assert.equal(tableNameOf('users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1'), 'users');
  assert.equal(tableNameOf('repair_history-759f'), 'repair_history');
  assert.equal(tableNameOf('nodash'), 'nodash');
});

const CASES: Array<{ name: string; filter: RestoreFilter; kept: string[]; ignored: string[] }> = [
  {
    name: 'no filter keeps everything',
    filter: { keyspaces: [], tables: [] },
    kept: SECTIONS.map((s) => `${s.keyspace}.${tableNameOf(s.columnfamily)}`),
    ignored: [],
  },
  {
    name: '--keyspace keeps the keyspace and the system keyspaces (not system_traces)',
    filter: { keyspaces: ['app'], tables: [] },
    kept: ['app.users', 'app.orders', 'system.local', 'system_schema.tables', 'system_auth.roles', 'system_distributed.repair_history'],
    ignored: ['other.events', 'system_traces.sessions'],
  },
  {
    name: '--table keeps that table and the system keyspaces',
    filter: { keyspaces: [], tables: ['app.orders'] },
    kept: ['app.orders', 'system.local', 'system_schema.tables', 'system_auth.roles', 'system_distributed.repair_history'],
    ignored: ['app.users', 'other.events', 'system_traces.sessions'],
  },
  {
    name: '--keyspace dominates --table',
    filter: { keyspaces: ['app'], tables: ['app.orders', 'other.events'], ignoreSystemKeyspaces: true },
    kept: ['app.users', 'app.orders', 'other.events'],
    ignored: ['system.local', 'system_auth.roles', 'system_distributed.repair_history', 'system_schema.tables', 'system_traces.sessions'],
  },
  {
    name: '--ignore-system-keyspaces keeps a named system keyspace',
    filter: { keyspaces: ['system_auth'], tables: [], ignoreSystemKeyspaces: true },
    kept: ['system_auth.roles'],
    ignored: ['app.orders', 'app.users', 'other.events', 'system.local', 'system_distributed.repair_history', 'system_schema.tables', 'system_traces.sessions'],
  },
  {
    name: 'a --table with the table id does not match (Medusa compares names without ids)',
    filter: { keyspaces: [], tables: ['app.users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1'], ignoreSystemKeyspaces: true },
    kept: [],
    ignored: ['app.orders', 'app.users', 'other.events', 'system.local', 'system_auth.roles', 'system_distributed.repair_history', 'system_schema.tables', 'system_traces.sessions'],
  },
];

for (const c of CASES) {
  test(`filter: ${c.name}`, () => {
    assert.deepEqual(keptNames(c.filter), c.kept);
    assert.deepEqual(filterSections(SECTIONS, c.filter).ignored, c.ignored);
  });
}

test('filterDecision says why', () => {
  assert.equal(filterDecision({ keyspaces: [], tables: [] }, 'a', 'b-1'), 'no-filter');
  assert.equal(filterDecision({ keyspaces: ['a'], tables: [] }, 'a', 'b-1'), 'keyspace');
  assert.equal(filterDecision({ keyspaces: ['x'], tables: [] }, 'system', 'local-1'), 'system-keyspace');
  assert.equal(filterDecision({ keyspaces: [], tables: ['a.b'] }, 'a', 'b-1'), 'table');
  assert.equal(filterDecision({ keyspaces: [], tables: ['a.b'] }, 'a', 'c-1'), 'not-selected');
});

test('filterProblems names malformed --table values', () => {
  assert.deepEqual(filterProblems({ keyspaces: [], tables: ['a.b'] }), []);
  assert.deepEqual(filterProblems({ keyspaces: [], tables: ['nodot', '.x', 'x.'] }), [
    '--table "nodot" must be <keyspace>.<table>',
    '--table ".x" must be <keyspace>.<table>',
    '--table "x." must be <keyspace>.<table>',
  ]);
});
