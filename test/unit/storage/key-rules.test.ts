import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertListPrefix, assertObjectKey, compareKeys, InvalidKeyError, keyProblem, prefixProblem } from '../../../src/storage/key-rules.js';
import { isRetryable } from '../../../src/storage/errors.js';

describe('key rules', () => {
  test('keys Medusa writes are accepted', () => {
    for (const key of [
      'node1/b1/meta/manifest.json',
      'pfx/node1/data/ks/t-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1/.t_idx/nb-1-big-Data.db',
      'index/backup_index/b1/started_node_1.example.com_1700000000.timestamp',
      'a..b/c...d/..e',
      'x',
    ]) {
      assert.equal(keyProblem(key), undefined, key);
    }
  });

  test('keys that could leave the bucket folder are refused with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['a/../b', /"\.\." segment/],
      ['..', /"\.\." segment/],
      ['../etc/passwd', /"\.\." segment/],
      ['a/..', /"\.\." segment/],
      ['/etc/passwd', /absolute/],
      ['a//b', /empty path segment/],
      ['a/b/', /empty path segment/],
      ['a/./b', /"\." segment/],
      ['a\0b', /NUL/],
    ];
    for (const [key, reason] of cases) {
      assert.match(keyProblem(key) ?? '', reason, JSON.stringify(key));
      assert.throws(() => assertObjectKey('local', key), (err: unknown) => err instanceof InvalidKeyError && /^local: refusing object key/.test(err.message));
    }
  });

  test('refusals are permanent (never retried) and print NUL visibly', () => {
    try {
      assertObjectKey('s3', 'a\0b');
      assert.fail('should throw');
    } catch (err) {
      assert.ok(!isRetryable(err));
      assert.match((err as Error).message, /"a\\u0000b"/);
    }
  });

  test('prefixes: complete segments follow the key rules, the last may be partial or empty', () => {
    for (const ok of ['', 'a', 'a/', 'a/b', 'a/b/', 'a/.', 'a/..', 'a/.hidden']) assert.equal(prefixProblem(ok), undefined, ok);
    for (const bad of ['/', '/a', '../', 'a/../', 'a//', './a', 'a\0']) {
      assert.ok(prefixProblem(bad), bad);
      assert.throws(() => assertListPrefix('local', bad), InvalidKeyError);
    }
  });

  test('compareKeys is UTF-8 byte order (code point order), not UTF-16 order', () => {
    const keys = ['a/b', 'a-b', 'a.b', 'a\u00e9', 'a\uff01', 'a\u{1f600}', 'aZ', 'a', 'A', 'a/', '', 'a\u{10ffff}', 'a\ud7ff'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...keys].sort(compareKeys), byBytes);
    // Random strings over a mix of ranges.
    const alphabet = ['a', '/', '-', '\u00e9', '\uffff', '\ue000', '\u{1f600}', '\u{10000}', 'Z', '.'];
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const random = Array.from({ length: 300 }, () => Array.from({ length: 1 + Math.floor(rand() * 6) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
    assert.deepEqual([...random].sort(compareKeys), [...random].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  });
});
