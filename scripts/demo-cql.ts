/**
 * CQL steps of the demo (scripts/demo.sh), against a harness node:
 *   tsx scripts/demo-cql.ts write    <node.json>   keyspace demo, table demo.users (with a 2i), 1,000 rows, flushed
 *   tsx scripts/demo-cql.ts count    <node.json>   prints the row count of demo.users
 *   tsx scripts/demo-cql.ts truncate <node.json>   empties demo.users (the "accident" the restore repairs)
 */
import { connectCql } from '../test/harness/cql-client.js';
import { countRows, createKeyspace, createTable, flush, truncateTable, writeRows } from '../test/harness/cql-helpers.js';
import { readNodeDescriptor } from '../test/harness/node-descriptor.js';

const [command, descriptorPath] = process.argv.slice(2);
if (!command || !descriptorPath) {
  process.stderr.write('usage: demo-cql.ts write|count|truncate <node.json>\n');
  process.exit(2);
}
const node = readNodeDescriptor(descriptorPath);
const client = connectCql([node]);
try {
  if (command === 'write') {
    await createKeyspace(client, 'demo');
    await createTable(client, 'demo', 'users', { secondaryIndex: true });
    await writeRows(client, 'demo', 'users', 1000);
    await flush(node, 'demo');
    process.stdout.write('wrote 1000 rows into demo.users\n');
  } else if (command === 'count') {
    process.stdout.write(`${await countRows(client, 'demo', 'users')}\n`);
  } else if (command === 'truncate') {
    await truncateTable(client, 'demo', 'users');
  } else {
    throw new Error(`unknown command ${command}`);
  }
} finally {
  await client.shutdown();
}
