import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SETTLED_NS, sourceHashStandsForCopy, type SourceStat } from '../../../src/storage/backends/local-source-hash.js';

const started = 1_800_000_000_000_000_000n;
const before: SourceStat = { dev: 1n, ino: 42n, size: 8_388_608n, mtimeNs: started - 60_000_000_000n, ctimeNs: started - 60_000_000_000n };

test("a source's MD5 stands for its kernel copy only when the source provably did not change", () => {
  const rows: Array<[string, Partial<SourceStat>, Partial<{ startedNs: bigint; hashed: number; copy: bigint; before: Partial<SourceStat> }>, boolean]> = [
    ['unchanged, settled, sizes agree', {}, {}, true],
    ['written meanwhile: new mtime and ctime', { mtimeNs: started + 5n, ctimeNs: started + 5n }, {}, false],
    ['mtime set back with utimes: ctime still moved', { ctimeNs: started + 5n }, {}, false],
    ['replaced by another file', { ino: 43n }, {}, false],
    ['other device', { dev: 2n }, {}, false],
    ['grew', { size: 8_388_609n }, {}, false],
    ['changed just before the put began (within the settled time)', {}, { before: { ctimeNs: started - SETTLED_NS + 1n } }, false],
    ['changed exactly the settled time before', {}, { before: { ctimeNs: started - SETTLED_NS } }, true],
    ['the hash read fewer bytes', {}, { hashed: 8_388_607 }, false],
    ['the copy is short', {}, { copy: 8_388_607n }, false],
  ];
  for (const [what, afterChange, other, expected] of rows) {
    const b = { ...before, ...other.before };
    const a = { ...b, ...afterChange };
    const got = sourceHashStandsForCopy(b, a, other.startedNs ?? started, other.hashed ?? Number(b.size), other.copy ?? b.size);
    assert.equal(got, expected, what);
  }
});
