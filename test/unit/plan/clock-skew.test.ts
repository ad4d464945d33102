/** judgeClockSkew: the store's stamp against the request's time window on the local clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeClockSkew } from '../../../src/plan/clock-skew.js';

const T = 1_700_000_000_500;

test('judgeClockSkew', () => {
  const rows: [string, number, number, number, number, boolean][] = [
    ['stamp inside the window', T, T + 200, T + 100, 0, true],
    ['stamp truncated to the second, just before sending', T, T + 200, T - 500, 0, true],
    ['store 30 s ahead', T, T + 200, T + 30_200, 30_000, true],
    ['store 2 min ahead', T, T + 200, T + 120_200, 120_000, false],
    ['store 2 min behind', T, T + 200, T - 500 - 120_000, -120_000, false],
    ['a slow request widens the window', T, T + 90_000, T + 89_000, 0, true],
  ];
  for (const [name, sent, answered, stored, skew, ok] of rows) {
    assert.deepEqual(judgeClockSkew(sent, answered, stored), { skewMs: skew, ok }, name);
  }
});
