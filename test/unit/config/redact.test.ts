import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactConfig, scrubSecrets, secretValues } from '../../../src/config/redact.js';
import { schemaEntries } from '../../../src/config/schema.js';
import { parseStorage } from './helpers.js';

const sseKey = Buffer.alloc(32, 1).toString('base64');

function configWithSecrets() {
  return parseStorage(`storage_provider = s3\nbucket_name = b\nsse_c_key = ${sseKey}`, {
    env: { MEDUSA_CQL_PASSWORD: 'cql-pw', MEDUSA_NODETOOL_PASSWORD: 'jmx-pw', MEDUSA_SSTABLELOADER_TSPW: 'ts-pw', MEDUSA_SSTABLELOADER_KSPW: 'cql-pw-long' },
  }).config;
}

test('the schema marks exactly the passwords and the SSE-C key as secret', () => {
  const secrets = schemaEntries().filter((e) => e.spec.secret).map((e) => `${e.section}.${e.key}`);
  assert.deepEqual(secrets, [
    'storage.sse_c_key',
    'cassandra.cql_password',
    'cassandra.nodetool_password',
    'cassandra.sstableloader_tspw',
    'cassandra.sstableloader_kspw',
  ]);
});

test('redactConfig: every set secret reads ****, the rest untouched, the input unchanged', () => {
  const config = configWithSecrets();
  const redacted = redactConfig(config);
  assert.equal(redacted.storage.sse_c_key, REDACTED);
  assert.equal(redacted.cassandra.cql_password, REDACTED);
  assert.equal(redacted.cassandra.nodetool_password, REDACTED);
  assert.equal(redacted.cassandra.sstableloader_tspw, REDACTED);
  assert.equal(redacted.cassandra.sstableloader_kspw, REDACTED);
  assert.equal(redacted.storage.bucket_name, 'b');
  assert.equal(config.cassandra.cql_password, 'cql-pw');
  const text = JSON.stringify(redacted);
  for (const secret of secretValues(config)) assert.ok(!text.includes(secret), secret);
  const unset = redactConfig(parseStorage('storage_provider = s3\nbucket_name = b').config);
  assert.equal(unset.cassandra.cql_password, undefined);
});

test('secretValues + scrubSecrets: longest first, every occurrence replaced', () => {
  const config = configWithSecrets();
  const secrets = secretValues(config);
  assert.deepEqual(secrets, [sseKey, 'cql-pw-long', 'cql-pw', 'jmx-pw', 'ts-pw']);
  assert.equal(scrubSecrets('a cql-pw-long b cql-pw c cql-pw', secrets), 'a **** b **** c ****');
});
