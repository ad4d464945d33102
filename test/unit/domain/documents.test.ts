import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DocumentError } from '../../../src/domain/document-error.js';
import { encodeManifest, encodeManifestBytes, manifestTotals, parseManifest } from '../../../src/domain/manifest.js';
import { dumpsPython } from '../../../src/domain/python-json.js';
import { encodeTokenMap, formatTokenList, parseTokenMap } from '../../../src/domain/tokenmap.js';

describe('dumpsPython writes what Python json.dumps writes', () => {
  const cases: Array<[string, Parameters<typeof dumpsPython>[0], string, boolean?]> = [
    ['separators', { a: [1, 2], b: null }, '{"a": [1, 2], "b": null}'],
    ['bigint', [-9223372036854775808n, 9223372036854775807n], '[-9223372036854775808, 9223372036854775807]'],
    ['non-ASCII escaped', 'é→😀', '"\\u00e9\\u2192\\ud83d\\ude00"'],
    ['control characters', 'a\n\t\u0001"\\', '"a\\n\\t\\u0001\\"\\\\"'],
    ['booleans', [true, false], '[true, false]'],
    ['sorted keys', { b: 1, a: { d: 1, c: 2 } }, '{"a": {"c": 2, "d": 1}, "b": 1}', true],
    ['empty containers', { a: [], b: {} }, '{"a": [], "b": {}}'],
  ];
  for (const [name, value, expected, sortKeys] of cases) {
    test(name, () => assert.equal(dumpsPython(value, { sortKeys: sortKeys ?? false }), expected));
  }
});

describe('tokenmap', () => {
  const text =
    '{"n1": {"tokens": [-9223372036854775808, 3074457345618258602], "is_up": true, "rack": "r1", "dc": "dc1"}, ' +
    '"n2": {"tokens": [9223372036854775807], "is_up": false}}';
  test('tokens are parsed without loss', () => {
    const map = parseTokenMap(text, 'k');
    assert.deepEqual(map.get('n1')?.tokens, [-9223372036854775808n, 3074457345618258602n]);
    assert.deepEqual(map.get('n2'), { tokens: [9223372036854775807n], is_up: false });
    assert.deepEqual([...map.keys()], ['n1', 'n2']);
  });
  test('encoding gives back the same bytes', () => assert.equal(encodeTokenMap(parseTokenMap(text, 'k')), text));
  test('a bare integer token (k8s form) is accepted', () =>
    assert.deepEqual(parseTokenMap('{"h": {"tokens": -5, "is_up": true}}', 'k').get('h')?.tokens, [-5n]));
  test('printed as Python prints a list', () => assert.equal(formatTokenList([-1n, 2n]), '[-1, 2]'));
  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{"n1": ', /k: not valid JSON/],
    ['not an object', '[1]', /expected a JSON object/],
    ['non-numeric token', '{"n1": {"tokens": ["abc"], "is_up": true}}', /host n1: token "abc" is not an integer/],
    ['float token', '{"n1": {"tokens": [1.5], "is_up": true}}', /not an integer/],
    ['out of range', '{"n1": {"tokens": [9223372036854775808], "is_up": true}}', /outside the signed 64-bit range/],
    ['missing tokens', '{"n1": {"is_up": true}}', /missing "tokens"/],
  ];
  for (const [name, doc, message] of bad) {
    test(`refused: ${name}`, () => assert.throws(() => parseTokenMap(doc, 'k'), (e: unknown) => e instanceof DocumentError && message.test(e.message)));
  }
});

describe('manifest', () => {
  const text =
    '[{"keyspace": "ks", "columnfamily": "t-1", "objects": [{"path": "n/data/ks/t-1/a-Data.db", "MD5": "abc", "size": 10}, ' +
    '{"path": "n/data/ks/t-1/a-Index.db", "MD5": null, "size": 0}]}, {"keyspace": "ks", "columnfamily": "empty-2", "objects": []}]';
  test('parse, totals and byte-identical encoding', () => {
    const m = parseManifest(text, 'k');
    assert.deepEqual(manifestTotals(m), { size: 10, numObjects: 2 });
    assert.equal(encodeManifest(m), text);
  });
  test('the byte encoder writes what json.dumps writes, escapes and growth included', () => {
    const long = 'x'.repeat(5000);
    const m = [
      { keyspace: 'ks\u00e9', columnfamily: 't"1\\', objects: [{ path: `n/data/ks\u00e9/t/\u{1F600}-${long}`, MD5: 'a"b', size: 2 ** 40 }] },
      { keyspace: 'ks', columnfamily: 'empty', objects: [] },
    ];
    const expected = dumpsPython(m.map((s) => ({ keyspace: s.keyspace, columnfamily: s.columnfamily, objects: s.objects.map((o) => ({ path: o.path, MD5: o.MD5, size: o.size })) })));
    assert.equal(encodeManifest(m), expected);
    assert.deepEqual(encodeManifestBytes(m), Buffer.from(expected, 'utf8'));
    assert.equal(encodeManifest([]), '[]');
  });
  const bad: Array<[string, string, RegExp]> = [
    ['truncated', text.slice(0, 40), /k: not valid JSON/],
    ['not an array', '{}', /expected a JSON array/],
    ['missing path', '[{"keyspace": "ks", "columnfamily": "t", "objects": [{"size": 1}]}]', /object 0: "path"/],
    ['negative size', '[{"keyspace": "ks", "columnfamily": "t", "objects": [{"path": "x", "size": -1}]}]', /"size" must be a non-negative integer/],
    ['objects not a list', '[{"keyspace": "ks", "columnfamily": "t", "objects": 3}]', /"objects" must be an array/],
  ];
  for (const [name, doc, message] of bad) {
    test(`refused: ${name}`, () => assert.throws(() => parseManifest(doc, 'k'), (e: unknown) => e instanceof DocumentError && message.test(e.message)));
  }
});
