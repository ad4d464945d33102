import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBytesStr, humanReadableSize } from '../../../src/util/medusa-format.js';

describe('formatBytesStr matches Medusa format_bytes_str', () => {
  const cases: Array<[number, string]> = [
    [0, '0.00 B'],
    [1023, '1023.00 B'],
    [1024, '1.00 KB'],
    [1152, '1.12 KB'], // 1.125: Python rounds half to even
    [1160, '1.13 KB'],
    [1536, '1.50 KB'],
    [52428800, '50.00 MB'],
    [1024 ** 4 * 3, '3.00 TB'],
    [1024 ** 5 * 2, '2048.00 TB'],
  ];
  for (const [bytes, expected] of cases) test(`${bytes}`, () => assert.equal(formatBytesStr(bytes), expected));
});

describe('humanReadableSize matches Medusa human_readable_size', () => {
  const cases: Array<[number, string]> = [
    [0, '0.00 B'],
    [1000, '1000.00 B'],
    [1024, '1.00 KiB'],
    [1152, '1.12 KiB'],
    [3 * 1024 ** 3, '3.00 GiB'],
  ];
  for (const [bytes, expected] of cases) test(`${bytes}`, () => assert.equal(humanReadableSize(bytes), expected));
});
