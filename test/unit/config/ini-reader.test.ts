import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readIni } from '../../../src/config/ini-reader.js';

function values(text: string): Record<string, Record<string, string>> {
  const doc = readIni(text);
  assert.deepEqual(doc.errors, []);
  return Object.fromEntries(doc.sections.map((s) => [s.name, Object.fromEntries(s.entries.map((e) => [e.key, e.value]))]));
}

test('ini: configparser syntax: = and :, comments, case, values with = # ;', () => {
  const text = [
    '# comment',
    '; another',
    '[storage]',
    'bucket_name = my-bucket',
    'Storage_Provider: s3',
    'prefix=p1  ',
    'query = SELECT * FROM t WHERE a = 1 # not a comment ; still value',
    'url: http://host:8080/x?a=b',
    'empty =',
    '    # indented comment',
    '[Logging]',
    'format = [%(asctime)s] %(levelname)s: %(message)s',
  ].join('\r\n');
  assert.deepEqual(values(text), {
    storage: {
      bucket_name: 'my-bucket',
      storage_provider: 's3',
      prefix: 'p1',
      query: 'SELECT * FROM t WHERE a = 1 # not a comment ; still value',
      url: 'http://host:8080/x?a=b',
      empty: '',
    },
    Logging: { format: '[%(asctime)s] %(levelname)s: %(message)s' },
  });
});

test('ini: an indented line continues the value above, as in configparser (even if it looks like a key)', () => {
  assert.deepEqual(values('[storage]\nstorage_provider = s3\n  prefix = p1\n'), { storage: { storage_provider: 's3\nprefix = p1' } });
  assert.deepEqual(values('[storage]\n  a = 1\n  b = 2\n'), { storage: { a: '1', b: '2' } });
});

test('ini: indented continuation lines, blank lines inside kept, trailing dropped', () => {
  const text = '[checks]\nquery = SELECT *\n  FROM t\n\n  WHERE x\n\nnext = 1\n\n';
  assert.deepEqual(values(text), { checks: { query: 'SELECT *\nFROM t\n\nWHERE x', next: '1' } });
});

test('ini: a leading byte-order mark is ignored; lines are numbered from 1', () => {
  const doc = readIni('\uFEFF[storage]\n\nbucket_name = b\n');
  assert.equal(doc.sections[0]?.name, 'storage');
  assert.equal(doc.sections[0]?.entries[0]?.line, 3);
});

test('ini: every syntax error is reported with its line', () => {
  const doc = readIni(['orphan = 1', 'orphan2 = 2', '[a]', 'x = 1', 'X = 2', 'no delimiter', '= v', '[a]', 'y = 3'].join('\n'));
  assert.deepEqual(
    doc.errors.map((e) => [e.line, e.message]),
    [
      [1, 'text before the first [section] header'],
      [5, 'option "x" appears twice in [a]'],
      [6, 'line is not "key = value" (no "=" or ":")'],
      [7, 'option with an empty key'],
      [8, 'section [a] appears twice'],
    ],
  );
});
