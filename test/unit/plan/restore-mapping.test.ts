import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenMap, TokenMapHost } from '../../../src/domain/tokenmap.js';
import { describeMapping, mapFromHostList, mapFromTopology, parseHostList, RestoreMappingError, roundRobin, unmappedSources } from '../../../src/plan/restore-mapping.js';
import { UsageError } from '../../../src/util/errors.js';

function tm(hosts: Record<string, { tokens: (number | bigint)[]; rack?: string; up?: boolean }>): TokenMap {
  const m = new Map<string, TokenMapHost>();
  for (const [k, v] of Object.entries(hosts)) m.set(k, { tokens: v.tokens.map((t) => BigInt(t)), is_up: v.up ?? true, rack: v.rack ?? 'r1', dc: 'dc1' });
  return m;
}
const plain = (m: ReturnType<typeof mapFromTopology>): Record<string, string> =>
  Object.fromEntries([...m.hosts].map(([t, a]) => [t, `${a.sources.join('+')}${a.seed ? '*' : ''}`]));

const source = tm({ a: { tokens: [-100, 50], rack: 'r1' }, b: { tokens: [-50, 100], rack: 'r2' }, c: { tokens: [0, 150], rack: 'r1' } });

test('in place: same hosts map onto themselves, copy mode', () => {
  const m = mapFromTopology({ source, target: source, seeds: new Set(['a']), ignoreRacks: false });
  assert.equal(m.inPlace, true);
  assert.equal(m.useSstableloader, false);
  assert.deepEqual(plain(m), { a: 'a*', b: 'b', c: 'c' });
  assert.deepEqual([...m.hosts.keys()], ['a', 'b', 'c'], 'seeds first');
});

test('remote with racks: rack by rack (racks by name), nodes by first token', () => {
  const target = tm({ x: { tokens: [7, 8], rack: 'r1' }, y: { tokens: [1, 2], rack: 'r1' }, z: { tokens: [3, 4], rack: 'r2' } });
  const m = mapFromTopology({ source, target, seeds: new Set(['z']), ignoreRacks: false });
  assert.equal(m.inPlace, false);
  assert.deepEqual(plain(m), { y: 'a', x: 'c', z: 'b*' });
});

test('rack shapes differ: sstableloader unless --ignore-racks, which pairs by first token', () => {
  const target = tm({ x: { tokens: [7, 8], rack: 'r1' }, y: { tokens: [1, 2], rack: 'r2' }, z: { tokens: [3, 4], rack: 'r2' } });
  const m = mapFromTopology({ source, target, seeds: new Set(), ignoreRacks: false });
  assert.equal(m.useSstableloader, true);
  assert.match(m.sstableloaderReason!, /nodes per rack/);
  const ign = mapFromTopology({ source, target, seeds: new Set(), ignoreRacks: true });
  assert.equal(ign.useSstableloader, false);
  assert.deepEqual(plain(ign), { y: 'a', z: 'b', x: 'c' });
});

test('different sizes or token counts: sstableloader, round-robin, no seeds', () => {
  const two = tm({ p: { tokens: [1, 2] }, q: { tokens: [3, 4] } });
  const m = mapFromTopology({ source, target: two, seeds: new Set(['p']), ignoreRacks: true });
  assert.equal(m.useSstableloader, true);
  assert.deepEqual(plain(m), { p: 'a+c', q: 'b' });
  assert.deepEqual(unmappedSources(m, source), []);
  const oneToken = tm({ p: { tokens: [1] }, q: { tokens: [3] }, r: { tokens: [5] } });
  assert.match(mapFromTopology({ source, target: oneToken, seeds: new Set(), ignoreRacks: true }).sstableloaderReason!, /tokens per node/);
  const bigger = tm({ p: { tokens: [1, 2] }, q: { tokens: [3, 4] }, r: { tokens: [5, 6] }, s: { tokens: [7, 8] } });
  assert.deepEqual(plain(mapFromTopology({ source, target: bigger, seeds: new Set(), ignoreRacks: true })), { p: 'a', q: 'b', r: 'c' });
});

test('single-token rings must have the same tokens', () => {
  const s1 = tm({ a: { tokens: [1] }, b: { tokens: [2] } });
  assert.equal(mapFromTopology({ source: s1, target: tm({ x: { tokens: [1] }, y: { tokens: [2] } }), seeds: new Set(), ignoreRacks: true }).useSstableloader, false);
  assert.equal(mapFromTopology({ source: s1, target: tm({ x: { tokens: [1] }, y: { tokens: [3] } }), seeds: new Set(), ignoreRacks: true }).useSstableloader, true);
});

test('tokens beyond 2^53 order exactly', () => {
  const big = 2n ** 62n;
  const s = tm({ a: { tokens: [big + 1n] }, b: { tokens: [big] } });
  const t = tm({ x: { tokens: [big + 1n] }, y: { tokens: [big] } });
  assert.deepEqual(plain(mapFromTopology({ source: s, target: t, seeds: new Set(), ignoreRacks: true })), { x: 'a', y: 'b' });
});

test('a target host down is an error; forced sstableloader; description', () => {
  assert.throws(() => mapFromTopology({ source, target: tm({ a: { tokens: [1, 2], up: false } }), seeds: new Set(), ignoreRacks: false }), RestoreMappingError);
  const m = mapFromTopology({ source, target: source, seeds: new Set(), ignoreRacks: false, forceSstableloader: true });
  assert.equal(m.useSstableloader, true);
  assert.deepEqual(describeMapping(m)[0], 'Restore mode: sstableloader (--use-sstableloader was given), in place');
  assert.deepEqual(roundRobin(['1', '2', '3'], []), new Map());
});

test('host list: separator, comments, blank lines, seed only for literal True, errors name the line', () => {
  const entries = parseHostList('# header\n\nTrue;n1;a\n  False ; n2 ; b \ntrue;n3;c\n', ';');
  assert.deepEqual(entries, [
    { seed: true, target: 'n1', source: 'a' },
    { seed: false, target: 'n2', source: 'b' },
    { seed: false, target: 'n3', source: 'c' },
  ]);
  const m = mapFromHostList(entries, source);
  assert.equal(m.inPlace, false);
  assert.deepEqual(plain(m), { n1: 'a*', n2: 'b', n3: 'c' });
  assert.throws(() => parseHostList('True,n1\n', ',', 'hl.csv'), (e: Error) => e instanceof UsageError && /hl\.csv line 1/.test(e.message));
  assert.throws(() => parseHostList('True,n1,a\nFalse,n1,b\n', ','), /listed twice/);
  assert.throws(() => parseHostList('# nothing\n', ','), /no host/);
  assert.throws(() => mapFromHostList([{ seed: false, target: 'n1', source: 'zz' }], source), /not in the backup/);
});
