/**
 * Named bucket scenarios for the reporting commands (list-backups, status, verify, fetch-tokenmap,
 * get-last-complete-cluster-backup, report-last-backup). Each is written by `writeFixtureBucket` and
 * read by both Python Medusa (goldens in test/fixtures/python-medusa/<name>/) and our CLI.
 *
 * Callers may rely on: scenario names are stable folder names; every value is deterministic (fixed
 * epochs, fixed contents), so captures are reproducible; `localFqdn` is the `[storage] fqdn` to run as.
 * At most one node is missing per backup, because Python prints missing nodes in Python-set order.
 */
import type { FixtureBucket, FixtureNodeBackup, FixtureObject, FixtureSection, FixtureTokenmap } from './fixture-bucket.js';

/** A bucket plus how to run against it. */
export interface FixtureScenario {
  /** Folder name of the goldens. */
  readonly name: string;
  /** What the scenario exercises, one sentence. */
  readonly description: string;
  /** `[storage] fqdn` of the medusa.ini used against it. */
  readonly localFqdn: string;
  readonly bucket: FixtureBucket;
}

/** Epoch seconds of a UTC wall-clock time (month 1-12). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** Deterministic bytes of exactly `size` ASCII characters, distinct per seed. */
function bytes(seed: string, size: number): string {
  const unit = `${seed}|`;
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Tokens sorted as strings, the order real Medusa writes them in tokenmap.json. */
function tokens(...values: bigint[]): bigint[] {
  return values.map((v) => v).sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

const MIN = -9223372036854775808n;
const MAX = 9223372036854775807n;

const USERS = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const EVENTS = 'events-0f9e8d7cc1ef11eea2d1a3f3b8c0d9e1';
const LOCAL = 'local-7ad54392bcdd35a684174e047860b377';

/** The SSTable components of one generation, sizes chosen to give B/KB/MB figures. */
function sstable(seed: string, gen: number, dataSize: number, md5: 'real' | null = 'real'): FixtureObject[] {
  const c = (component: string, size: number): FixtureObject => ({
    file: `nb-${gen}-big-${component}`,
    content: bytes(`${seed}:${gen}:${component}`, size),
    md5,
  });
  return [
    c('Data.db', dataSize),
    c('Index.db', 312),
    c('Summary.db', 92),
    c('Statistics.db', 4788),
    c('Filter.db', 24),
    c('CompressionInfo.db', 47),
    c('Digest.crc32', 10),
    c('TOC.txt', 92),
  ];
}

/** A node's sections: medusa.users (with a secondary index), medusa.events (empty), system.local. */
function sections(fqdn: string, gens: readonly number[], dataSize: number, reusedGens: readonly number[] = []): FixtureSection[] {
  const users: FixtureObject[] = [];
  for (const g of gens) {
    const md5 = reusedGens.includes(g) ? null : 'real';
    users.push(...sstable(`${fqdn}:users`, g, dataSize, md5));
    users.push({ file: `.users_email_idx/nb-${g}-big-Data.db`, content: bytes(`${fqdn}:idx:${g}`, 64), md5 });
  }
  return [
    { keyspace: 'medusa', columnfamily: USERS, objects: users },
    { keyspace: 'medusa', columnfamily: EVENTS, objects: [] },
    { keyspace: 'system', columnfamily: LOCAL, objects: sstable(`${fqdn}:local`, 1, 1536) },
  ];
}

/** Three vnode hosts (4 tokens each) covering both ends of the Murmur3 range. */
function threeHosts(names: readonly [string, string, string], dc = 'dc1'): FixtureTokenmap {
  const [a, b, c] = names;
  return {
    [a]: { tokens: tokens(MIN, -4611686018427387904n, 1n, 4611686018427387903n), isUp: true, rack: 'r1', dc },
    [b]: { tokens: tokens(-6917529027641081856n, -2305843009213693952n, 2305843009213693951n, 6917529027641081855n), isUp: true, rack: 'r2', dc },
    [c]: { tokens: tokens(-1n, 0n, 3458764513820540927n, MAX), isUp: true, rack: 'r3', dc },
  };
}

function twoHosts(names: readonly [string, string], dc = 'dc1'): FixtureTokenmap {
  const [a, b] = names;
  return {
    [a]: { tokens: tokens(MIN, 0n), isUp: true, rack: 'r1', dc },
    [b]: { tokens: tokens(-4611686018427387904n, MAX), isUp: true, rack: 'r1', dc },
  };
}

interface NodeOptions {
  readonly mode?: 'full' | 'differential';
  readonly gens?: readonly number[];
  readonly reused?: readonly number[];
  readonly dataSize?: number;
  readonly finished?: number | null;
}

/** A node backup with default sections; `finished: null` = never finished. */
function node(
  name: string,
  fqdn: string,
  tokenmap: FixtureTokenmap,
  started: number,
  o: NodeOptions & Partial<Omit<FixtureNodeBackup, 'finished'>> = {},
): FixtureNodeBackup {
  const finished = o.finished === null ? undefined : (o.finished ?? started + 95);
  return {
    name,
    fqdn,
    mode: o.mode ?? 'full',
    started,
    finished,
    tokenmap,
    sections: o.sections ?? sections(fqdn, o.gens ?? [1], o.dataSize ?? 4096, o.reused ?? []),
    ...(o.marker ? { marker: o.marker } : {}),
    ...(o.faults ? { faults: o.faults } : {}),
    ...(o.serverVersion ? { serverVersion: o.serverVersion } : {}),
  };
}

const N3 = ['node1.example.com', 'node2.example.com', 'node3.example.com'] as const;
const T0 = utc(2024, 3, 1, 1, 0);

function completeThreeNodes(): FixtureScenario {
  const tm = threeHosts(N3);
  return {
    name: 'complete-3-nodes',
    description: 'One complete full backup of a 3-node vnodes cluster; tokens include both ends of the Murmur3 range.',
    localFqdn: N3[0],
    bucket: {
      nodeBackups: [
        node('backup-full', N3[0], tm, T0, { dataSize: 1_572_864 }),
        node('backup-full', N3[1], tm, T0 + 2, { finished: T0 + 130, dataSize: 20_000 }),
        node('backup-full', N3[2], tm, T0 + 1, { finished: T0 + 61 }),
      ],
    },
  };
}

function history(): FixtureScenario {
  const h = ['cass-a.example.com', 'cass-b.example.com'] as const;
  const tm = twoHosts(h);
  const day = 86_400;
  // Names deliberately out of alphabetical order: listings sort by start time.
  const backups: FixtureNodeBackup[] = [];
  const plan: Array<[string, 'full' | 'differential', number, number[], number[]]> = [
    ['weekly-full', 'full', T0, [1, 2], []],
    ['daily-b', 'differential', T0 + day, [1, 2, 3], []],
    ['daily-a', 'differential', T0 + 2 * day, [1, 2, 3, 4], [1, 2, 3]],
    ['adhoc', 'differential', T0 + 2 * day + 3600, [2, 3, 4, 5], [2, 3, 4]],
  ];
  for (const [name, mode, start, gens, reused] of plan) {
    for (const [i, fqdn] of h.entries()) backups.push(node(name, fqdn, tm, start + i * 7, { mode, gens, reused, finished: start + 300 + i * 11 }));
  }
  return {
    name: 'history',
    description: 'A full backup then three differentials sharing the node pool; names not in time order.',
    localFqdn: h[0],
    bucket: { nodeBackups: backups },
  };
}

function incomplete(): FixtureScenario {
  const tm = threeHosts(N3);
  const t = utc(2024, 4, 2, 23, 59, 30);
  return {
    name: 'incomplete',
    description: 'An older complete backup, then a backup where one node started but never finished.',
    localFqdn: N3[0],
    bucket: {
      nodeBackups: [
        ...N3.map((f, i) => node('good', f, tm, t - 86_400 + i * 2)),
        node('broken', N3[0], tm, t),
        node('broken', N3[1], tm, t + 5, { finished: null }),
        node('broken', N3[2], tm, t + 3, { finished: t + 100 }),
      ],
    },
  };
}

function missingNode(): FixtureScenario {
  const tm = threeHosts(N3);
  return {
    name: 'missing-node',
    description: 'A backup whose tokenmap lists three hosts but only two have a node backup.',
    localFqdn: N3[1],
    bucket: { nodeBackups: [node('partial', N3[0], tm, T0), node('partial', N3[1], tm, T0 + 1)] },
  };
}

function otherDc(): FixtureScenario {
  const dc1 = twoHosts(['dc1-n1.example.com', 'dc1-n2.example.com'], 'dc1');
  const dc2: FixtureTokenmap = { 'dc2-n1.example.com': { tokens: tokens(-3n, 3n), isUp: true, rack: 'ra', dc: 'dc2' } };
  return {
    name: 'other-dc',
    description: 'A node of another DC backed up under the same name: present, but not in the (first node) tokenmap.',
    localFqdn: 'dc1-n1.example.com',
    bucket: {
      nodeBackups: [
        node('multi-dc', 'dc1-n1.example.com', dc1, T0),
        node('multi-dc', 'dc1-n2.example.com', dc1, T0 + 4),
        node('multi-dc', 'dc2-n1.example.com', dc2, T0 + 9, { finished: T0 + 500, dataSize: 9000 }),
      ],
    },
  };
}

function strayNode(): FixtureScenario {
  const h = ['s1.example.com', 's2.example.com'] as const;
  const tm = twoHosts(h);
  return {
    name: 'stray-node',
    description:
      'A host that had left the ring (not in the tokenmap) backed up first under the same name: Medusa 0.31 counts only ' +
      'tokenmap hosts for the start time, size and files, so `left-ring` starts after `earlier`.',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        node('left-ring', 's0.example.com', tm, T0 - 120, { dataSize: 7000 }),
        ...h.map((f, i) => node('earlier', f, tm, T0 - 60 + i)),
        ...h.map((f, i) => node('left-ring', f, tm, T0 + 3 * i)),
      ],
    },
  };
}

function withPrefix(): FixtureScenario {
  const h = ['p1.example.com', 'p2.example.com'] as const;
  const tm = twoHosts(h);
  return {
    name: 'prefix',
    description: 'Two backups of a 2-node cluster stored under the prefix `tenant-a`.',
    localFqdn: h[1],
    bucket: {
      prefix: 'tenant-a',
      nodeBackups: [
        ...h.map((f, i) => node('first', f, tm, T0 + i)),
        ...h.map((f, i) => node('second', f, tm, T0 + 3600 + i, { mode: 'differential', gens: [1, 2], reused: [1] })),
      ],
    },
  };
}

function fqdnUnderscore(): FixtureScenario {
  const h = ['cass_node_1.dc_east.example', 'cass_node_2.dc_east.example'] as const;
  const tm = twoHosts(h);
  return {
    name: 'fqdn-underscore',
    description: 'Host names containing `_` (index entry names are split on `_`).',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        ...h.map((f, i) => node('with_underscores', f, tm, T0 + i, { mode: 'differential' })),
      ],
    },
  };
}

function prefixNames(): FixtureScenario {
  const all: FixtureTokenmap = {
    '127.0.0.1': { tokens: tokens(MIN), isUp: true, rack: 'r1', dc: 'dc1' },
    '127.0.0.10': { tokens: tokens(-1n), isUp: true, rack: 'r1', dc: 'dc1' },
    '127.0.0.101': { tokens: tokens(MAX), isUp: true, rack: 'r1', dc: 'dc1' },
  };
  const t = utc(2024, 5, 5, 5, 5, 5);
  return {
    name: 'prefix-names',
    description: 'fqdns 127.0.0.1 / 127.0.0.10 / 127.0.0.101 and backup names b1 / b10 that are prefixes of one another.',
    localFqdn: '127.0.0.1',
    bucket: {
      nodeBackups: [
        node('b1', '127.0.0.1', all, t),
        node('b1', '127.0.0.10', all, t + 1),
        node('b1', '127.0.0.101', all, t + 2),
        // b10 has no node backup of 127.0.0.1: listed only with --show-all, and incomplete.
        node('b10', '127.0.0.10', all, t + 600),
        node('b10', '127.0.0.101', all, t + 601, { finished: null }),
      ],
    },
  };
}

function legacyIncremental(): FixtureScenario {
  const h = ['old1.example.com', 'old2.example.com'] as const;
  const tm: FixtureTokenmap = {
    [h[0]]: { tokens: tokens(MIN), isUp: true },
    [h[1]]: { tokens: tokens(0n), isUp: false },
  };
  const old = { omitServerVersion: true } as const;
  return {
    name: 'legacy-incremental',
    description: 'A 2020-era differential backup with the legacy `incremental` marker, no rack/dc, no server_version.json.',
    localFqdn: h[0],
    bucket: {
      nodeBackups: h.map((f, i) =>
        node('legacy', f, tm, utc(2020, 11, 30, 22, 0) + i, { mode: 'differential', marker: 'incremental', faults: old }),
      ),
    },
  };
}

function missingMetaManifest(): FixtureScenario {
  const h = ['m1.example.com', 'm2.example.com'] as const;
  const tm = twoHosts(h);
  return {
    name: 'missing-meta-manifest',
    description: 'A backup whose meta/manifest.json of one node is gone (index copy and finished marker remain).',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        node('nomanifest', h[0], tm, T0),
        node('nomanifest', h[1], tm, T0 + 1, { faults: { omitMetaManifest: true } }),
      ],
    },
  };
}

function missingSstable(): FixtureScenario {
  const h = ['s1.example.com', 's2.example.com'] as const;
  const tm = twoHosts(h);
  return {
    name: 'missing-sstable',
    description: 'One Data.db listed in the manifest is not in storage (full), one in the pool (differential).',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        node('lost-file', h[0], tm, T0, { faults: { deleteObjects: [`medusa/${USERS}/nb-1-big-Data.db`] } }),
        node('lost-file', h[1], tm, T0 + 1, {
          mode: 'differential',
          faults: { deleteObjects: [`medusa/${USERS}/.users_email_idx/nb-1-big-Data.db`] },
        }),
      ],
    },
  };
}

function corruptSstable(): FixtureScenario {
  const h = ['c1.example.com', 'c2.example.com'] as const;
  const tm = twoHosts(h);
  return {
    name: 'corrupt-sstable',
    description: 'One Data.db has the manifest size but different bytes (and so a different MD5).',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        node('bitrot', h[0], tm, T0, { faults: { corruptObjects: [`medusa/${USERS}/nb-1-big-Data.db`] } }),
        node('bitrot', h[1], tm, T0 + 1, { mode: 'differential', faults: { corruptObjects: [`system/${LOCAL}/nb-1-big-Index.db`] } }),
      ],
    },
  };
}

function verifyEdgeCases(): FixtureScenario {
  const h = ['v1.example.com', 'v2.example.com'] as const;
  const tm = twoHosts(h);
  return {
    name: 'verify-edge-cases',
    description: 'Summary.db resized (warned) and Statistics.db missing (ignored), plus an object in storage but not in the manifest.',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        node('edge', h[0], tm, T0, {
          faults: {
            deleteObjects: [`medusa/${USERS}/nb-1-big-Statistics.db`],
            extraObjects: { [`medusa/${USERS}/nb-9-big-Data.db`]: bytes('stray', 777) },
          },
        }),
        node('edge', h[1], tm, T0 + 1, { faults: { resizeObjects: [`medusa/${USERS}/nb-1-big-Summary.db`] } }),
      ],
    },
  };
}

function indexFallbacks(): FixtureScenario {
  const h = ['f1.example.com', 'f2.example.com'] as const;
  const tm = twoHosts(h);
  const t = utc(2024, 6, 30, 12, 0);
  return {
    name: 'index-fallbacks',
    description: 'Index entries missing: no started_ entry (start from schema.cql mtime), no finished_ entry (finish from the index manifest mtime).',
    localFqdn: h[0],
    bucket: {
      nodeBackups: [
        node('fallback', h[0], tm, t, { finished: t + 77, faults: { omitIndex: ['started'] } }),
        node('fallback', h[1], tm, t + 2, { finished: t + 88, faults: { omitIndex: ['finished'] } }),
      ],
    },
  };
}

function sizeRounding(): FixtureScenario {
  const tm: FixtureTokenmap = { 'r1.example.com': { tokens: tokens(MIN), isUp: true, rack: 'r1', dc: 'dc1' } };
  const one = (file: string, size: number): FixtureSection[] => [
    { keyspace: 'ks', columnfamily: 'tbl-00000000000000000000000000000001', objects: [{ file, content: bytes(file, size) }] },
  ];
  return {
    name: 'size-rounding',
    description: 'Totals that are exact ties at two decimals (1.125 KB, 2.625 KB): Python rounds them half-to-even.',
    localFqdn: 'r1.example.com',
    bucket: {
      nodeBackups: [
        node('tie-down', 'r1.example.com', tm, T0, { sections: one('nb-1-big-Data.db', 1152) }),
        node('tie-even', 'r1.example.com', tm, T0 + 600, { sections: one('nb-2-big-Data.db', 2688) }),
      ],
    },
  };
}

function empty(): FixtureScenario {
  return {
    name: 'empty',
    description: 'An empty bucket.',
    localFqdn: 'node1.example.com',
    bucket: { nodeBackups: [] },
  };
}

/** Every scenario, in a stable order. */
export const FIXTURE_SCENARIOS: readonly FixtureScenario[] = [
  completeThreeNodes(),
  history(),
  incomplete(),
  missingNode(),
  otherDc(),
  strayNode(),
  withPrefix(),
  fqdnUnderscore(),
  prefixNames(),
  legacyIncremental(),
  missingMetaManifest(),
  missingSstable(),
  corruptSstable(),
  verifyEdgeCases(),
  indexFallbacks(),
  sizeRounding(),
  empty(),
];

/** Backup names of a scenario in first-seen order. */
export function scenarioBackupNames(s: FixtureScenario): string[] {
  return [...new Set(s.bucket.nodeBackups.map((nb) => nb.name))];
}
