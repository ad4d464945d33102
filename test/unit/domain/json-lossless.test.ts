import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLossless } from '../../../src/domain/json-lossless.js';

test('integers become bigint without loss; other numbers stay numbers; strings untouched', () => {
  assert.deepEqual(
    parseLossless('{"t": [-9223372036854775808, 9223372036854775807, 0, 12], "f": 1.5, "e": 1e-5, "g": -2.5E+3, "s": "123 9223372036854775807", "b": true, "n": null}'),
    { t: [-9223372036854775808n, 9223372036854775807n, 0n, 12n], f: 1.5, e: 1e-5, g: -2500, s: '123 9223372036854775807', b: true, n: null },
  );
});

test('escaped quotes and digits inside strings, nested arrays', () => {
  assert.deepEqual(parseLossless('["a\\"1", [[-1]], {"10": 10}]'), ['a"1', [[-1n]], { '10': 10n }]);
});

test('text holding an escaped NUL takes the slow path and means the same', () => {
  assert.deepEqual(parseLossless('{"x": "\\u0000123", "y": 123}'), { x: '\u0000123', y: 123n });
});

test('malformed text is a SyntaxError', () => {
  assert.throws(() => parseLossless('{"a": [1, }'), SyntaxError);
  assert.throws(() => parseLossless('{"a": 01}'), SyntaxError);
});
