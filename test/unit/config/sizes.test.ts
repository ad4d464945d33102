import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSizeError, parseHumanSize } from '../../../src/config/sizes.js';

const MiB = 1024 * 1024;

test('sizes: Medusa grammar (binary units) plus IEC units', () => {
  const cases: [string, number][] = [
    ['50MB/s', 50 * MiB],
    ['20MB', 20971520],
    ['50MB', 52428800],
    ['100MiB', 100 * MiB],
    ['1024', 1024],
    ['0', 0],
    ['10 GB', 10 * 1024 ** 3],
    ['10 GB/s', 10 * 1024 ** 3],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['1.5KB', 1536],
    ['512B', 512],
    ['2KB', 2048],
    ['1TB', 1024 ** 4],
    ['1PB', 1024 ** 5],
    ['3KiB', 3072],
    ['1GiB', 1024 ** 3],
    ['2TiB', 2 * 1024 ** 4],
    ['50mb', 50 * MiB],
    [' 7 MB ', 7 * MiB],
    ['.5MB', 0.5 * MiB],
    ['104857600', 100 * MiB],
  ];
  for (const [text, bytes] of cases) assert.equal(parseHumanSize(text), bytes, text);
});

test('sizes: garbage is refused with a message quoting the text', () => {
  for (const text of ['abc', '1.5', '', '-5MB', '5XB', 'MB', '5 M B x', '1e3', '5MB/s/s', '99999999999PB', '5M']) {
    assert.throws(() => parseHumanSize(text), (err: unknown) => {
      assert.ok(err instanceof InvalidSizeError, text);
      assert.ok(err.message.includes(JSON.stringify(text)), err.message);
      assert.match(err.message, /MiB/);
      return true;
    });
  }
});
