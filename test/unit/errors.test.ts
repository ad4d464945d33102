import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, ExitCode, UsageError } from '../../src/util/errors.js';

test('ConfigError lists every problem with section and key, exit 2', () => {
  const err = new ConfigError(
    [
      { section: 'storage', key: 'bucket_name', message: 'is required' },
      { section: 'storage', message: 'section missing key' },
    ],
    '/etc/medusa/medusa.ini',
  );
  assert.equal(err.exitCode, ExitCode.usage);
  assert.equal(
    err.message,
    '/etc/medusa/medusa.ini: [storage] bucket_name: is required; [storage] section missing key',
  );
});

test('UsageError exits 2', () => {
  assert.equal(new UsageError('x').exitCode, 2);
});
