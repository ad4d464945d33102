import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyStatement, schemaRecreateStatements, splitStatements } from '../../../src/plan/schema-recreate.js';

const schema = `CREATE KEYSPACE system_auth WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}  AND durable_writes = true;

CREATE TABLE system_auth.roles (role text PRIMARY KEY);

CREATE KEYSPACE shop WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '2'}  AND durable_writes = true;

CREATE TYPE shop.address (street text, city text);

CREATE TYPE shop."Contact" (addr frozen<address>);

CREATE TABLE shop.users (
    id int PRIMARY KEY,
    email text,
    note text
) WITH comment = 'semi;colon ''quoted''';

CREATE INDEX users_email_idx ON shop.users (email);

CREATE MATERIALIZED VIEW shop.users_by_email AS
    SELECT * FROM shop.users WHERE email IS NOT NULL AND id IS NOT NULL
    PRIMARY KEY (email, id);

CREATE FUNCTION shop.f(x int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS $$ return x; $$;

CREATE TABLE shop.orders (id int PRIMARY KEY);

CREATE KEYSPACE "Other" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'};

CREATE TABLE "Other"."T" (k int PRIMARY KEY);
`;

test('statements split on ; outside quotes and $$ bodies', () => {
  const st = splitStatements(schema);
  assert.equal(st.length, 12);
  assert.match(st[5]!, /semi;colon ''quoted'''$/);
  assert.match(st[8]!, /\$\$ return x; \$\$$/);
});

test('classification names keyspace and object', () => {
  assert.deepEqual(
    splitStatements(schema).map(classifyStatement).map((s) => `${s.kind}:${s.keyspace}.${s.name}`),
    ['keyspace:system_auth.system_auth', 'table:system_auth.roles', 'keyspace:shop.shop', 'type:shop.address', 'type:shop.Contact', 'table:shop.users', 'index:shop.users_email_idx', 'view:shop.users_by_email', 'function:shop.f', 'table:shop.orders', 'keyspace:Other.Other', 'table:Other.T'],
  );
});

test('recreation order per keyspace: keyspace, drop views/tables/types, create types, tables, indexes, views; no system keyspaces, no functions', () => {
  const out = schemaRecreateStatements(schema).map((s) => s.split('\n')[0]!.slice(0, 60));
  assert.deepEqual(out, [
    "CREATE KEYSPACE IF NOT EXISTS shop WITH replication = {'clas",
    'DROP MATERIALIZED VIEW IF EXISTS shop.users_by_email',
    'DROP TABLE IF EXISTS shop.users',
    'DROP TABLE IF EXISTS shop.orders',
    'DROP TYPE IF EXISTS shop."Contact"',
    'DROP TYPE IF EXISTS shop.address',
    'CREATE TYPE shop.address (street text, city text)',
    'CREATE TYPE shop."Contact" (addr frozen<address>)',
    'CREATE TABLE shop.users (',
    'CREATE TABLE shop.orders (id int PRIMARY KEY)',
    'CREATE INDEX users_email_idx ON shop.users (email)',
    'CREATE MATERIALIZED VIEW shop.users_by_email AS',
    "CREATE KEYSPACE IF NOT EXISTS \"Other\" WITH replication = {'c",
    'DROP TABLE IF EXISTS "Other"."T"',
    'CREATE TABLE "Other"."T" (k int PRIMARY KEY)',
  ]);
});

test('a table selection recreates only that table (with its index and view) and its keyspace', () => {
  const out = schemaRecreateStatements(schema, { keyspaces: [], tables: ['shop.orders'] }).map((s) => s.split('\n')[0]!.slice(0, 45));
  assert.ok(out.includes('DROP TABLE IF EXISTS shop.orders'));
  assert.ok(!out.some((s) => s.includes('shop.users')));
  const users = schemaRecreateStatements(schema, { keyspaces: [], tables: ['shop.users'] }).join('\n');
  assert.match(users, /CREATE INDEX users_email_idx/);
  assert.match(users, /CREATE MATERIALIZED VIEW shop.users_by_email/);
  assert.equal(schemaRecreateStatements(schema, { keyspaces: ['Other'], tables: [] }).length, 3);
});
