import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../../src/util/logger.js';
import { PASSWORD_MASK, redactPasswordArgs, redactPasswordText } from '../../../src/util/redact-password.js';

describe("password redaction (Medusa 0.31's redact_password)", () => {
  const textCases: Array<[string, string]> = [
    ['nodetool -u cassandra -pw s3cr3t snapshot -t medusa-b', 'nodetool -u cassandra -pw *** snapshot -t medusa-b'],
    ['nodetool --password=s3cr3t status', 'nodetool --password=*** status'],
    ['nodetool -pw=s3cr3t status', 'nodetool -pw=*** status'],
    ['nodetool --password  two-spaces status', 'nodetool --password  *** status'],
    ['sstableloader --password p -tspw t -kspw k dir', 'sstableloader --password *** -tspw *** -kspw *** dir'],
    // A password file is a path, not a secret; an option glued to a word is not an option.
    ['nodetool -pwf /etc/cassandra/jmx.password status', 'nodetool -pwf /etc/cassandra/jmx.password status'],
    ['x-pw y', 'x-pw y'],
    ['error: Failed to connect with -pw hunter22\nnext line', 'error: Failed to connect with -pw ***\nnext line'],
    ['no password here', 'no password here'],
  ];
  for (const [input, expected] of textCases) {
    test(`text: ${JSON.stringify(input)}`, () => assert.equal(redactPasswordText(input), expected));
  }

  test('argv: the value after a password option, and --password=x, masked; the original untouched', () => {
    const argv = ['nodetool', '-u', 'u', '-pw', 'two words', '-pwf', '/f', '--password=x', 'snapshot'];
    assert.deepEqual(redactPasswordArgs(argv), ['nodetool', '-u', 'u', '-pw', PASSWORD_MASK, '-pwf', '/f', '--password=***', 'snapshot']);
    assert.equal(argv[4], 'two words');
  });

  test('the logger masks every line, whoever wrote it', () => {
    const lines: string[] = [];
    const log = createLogger({ verbosity: 1, withoutTimestamp: true, write: (l) => lines.push(l) });
    log.debug('Executing: nodetool -pw hunter22 clearsnapshot -t x');
    log.error('host1-stderr: nodetool --password hunter22 failed');
    assert.deepEqual(lines, ['DEBUG: Executing: nodetool -pw *** clearsnapshot -t x', 'ERROR: host1-stderr: nodetool --password *** failed']);
  });
});
