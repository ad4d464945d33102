/**
 * Which backup node is restored onto which target host (reference §5.4), as a pure function of
 * the backup's tokenmap and the target cluster's topology, or of a host list. Typed errors only:
 * no I/O, no prompts.
 *
 * Seed-target mode: every target must be up; the restore is in place when a host appears in both
 * tokenmaps; the topologies "match" when host counts are equal, (unless racks are ignored) the
 * node counts of the racks sorted by name are equal, tokens per host are equal and, for
 * single-token rings, the token sets are equal. A match pairs hosts rack by rack (j-th node by first
 * token of the i-th rack by name) or, ignoring racks, i-th by first token with i-th by first token.
 * No match: sstableloader mode, backup hosts dealt round-robin over the targets, no seeds.
 */
import type { TokenMap, TokenMapHost } from '../domain/tokenmap.js';
import { OperationError, UsageError } from '../util/errors.js';

/** One target host's part in the restore. */
export interface TargetAssignment {
  /** Backup hosts (tokenmap keys) whose data goes onto this target; several only with sstableloader. */
  readonly sources: readonly string[];
  readonly seed: boolean;
}

/** The restore plan of a cluster. */
export interface RestoreMapping {
  readonly inPlace: boolean;
  readonly useSstableloader: boolean;
  /** Target host → assignment, in a stable order (seeds first, then by name). */
  readonly hosts: ReadonlyMap<string, TargetAssignment>;
  /** Why sstableloader mode was chosen, when it was. */
  readonly sstableloaderReason?: string;
}

/** The target cluster cannot be restored onto (e.g. a host is down). */
export class RestoreMappingError extends OperationError {}

function firstToken(h: TokenMapHost): bigint {
  return h.tokens[0] ?? 0n;
}

function byFirstToken(map: TokenMap): string[] {
  return [...map.entries()].sort((a, b) => (firstToken(a[1]) < firstToken(b[1]) ? -1 : firstToken(a[1]) > firstToken(b[1]) ? 1 : a[0] < b[0] ? -1 : 1)).map(([k]) => k);
}

function nodesPerRack(map: TokenMap): [string, string[]][] {
  const racks = new Map<string, string[]>();
  for (const host of byFirstToken(map)) {
    const rack = map.get(host)?.rack ?? '';
    const list = racks.get(rack) ?? [];
    list.push(host);
    racks.set(rack, list);
  }
  return [...racks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function tokensPerHost(map: TokenMap): number | undefined {
  const first = map.values().next();
  return first.done ? undefined : first.value.tokens.length;
}

function topologyMismatch(source: TokenMap, target: TokenMap, ignoreRacks: boolean): string | undefined {
  if (source.size !== target.size) return `the backup has ${source.size} nodes, the target ${target.size}`;
  if (!ignoreRacks) {
    const s = nodesPerRack(source).map(([, n]) => n.length);
    const t = nodesPerRack(target).map(([, n]) => n.length);
    if (s.join(',') !== t.join(',')) return `nodes per rack differ (backup ${s.join('/')}, target ${t.join('/')}; --ignore-racks ignores racks)`;
  }
  const st = tokensPerHost(source);
  const tt = tokensPerHost(target);
  if (st !== tt) return `tokens per node differ (backup ${String(st)}, target ${String(tt)})`;
  if (st === 1) {
    const a = [...source.values()].map((h) => String(firstToken(h))).sort();
    const b = [...target.values()].map((h) => String(firstToken(h))).sort();
    if (a.join(',') !== b.join(',')) return 'single-token rings with different tokens';
  }
  return undefined;
}

function ordered(hosts: Map<string, TargetAssignment>): Map<string, TargetAssignment> {
  const entries = [...hosts.entries()].sort((a, b) => (a[1].seed !== b[1].seed ? (a[1].seed ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Map(entries);
}

/** Deals `sources` round-robin over `targets` (each target gets a list; extra targets get nothing). */
export function roundRobin(sources: readonly string[], targets: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (targets.length === 0) return out;
  sources.forEach((s, i) => {
    const t = targets[i % targets.length]!;
    out.set(t, [...(out.get(t) ?? []), s]);
  });
  return out;
}

/** Inputs of the seed-target mode. */
export interface SeedTargetInput {
  /** The backup's tokenmap. */
  readonly source: TokenMap;
  /** The target cluster's tokenmap, read over CQL on the seed. */
  readonly target: TokenMap;
  /** Target hosts that are seeds (already resolved to tokenmap keys). */
  readonly seeds: ReadonlySet<string>;
  readonly ignoreRacks: boolean;
  /** Force sstableloader mode (`--use-sstableloader`). */
  readonly forceSstableloader?: boolean;
}

/** The mapping for `--seed-target`. Throws `RestoreMappingError` when a target host is down or the tokenmaps are empty. */
export function mapFromTopology(input: SeedTargetInput): RestoreMapping {
  const { source, target } = input;
  if (source.size === 0) throw new RestoreMappingError('the backup tokenmap lists no host');
  if (target.size === 0) throw new RestoreMappingError('the target cluster lists no host');
  const down = [...target.entries()].filter(([, h]) => !h.is_up).map(([k]) => k);
  if (down.length > 0) throw new RestoreMappingError(`target host(s) not up: ${down.join(', ')}`);
  const inPlace = [...source.keys()].some((k) => target.has(k));
  const mismatch = input.forceSstableloader ? '--use-sstableloader was given' : topologyMismatch(source, target, input.ignoreRacks);
  const hosts = new Map<string, TargetAssignment>();
  if (mismatch !== undefined) {
    for (const [t, sources] of roundRobin(byFirstToken(source), byFirstToken(target))) hosts.set(t, { sources, seed: false });
    return { inPlace, useSstableloader: true, hosts: ordered(hosts), sstableloaderReason: mismatch };
  }
  if (input.ignoreRacks) {
    const s = byFirstToken(source);
    const t = byFirstToken(target);
    s.forEach((src, i) => hosts.set(t[i]!, { sources: [src], seed: input.seeds.has(t[i]!) }));
  } else {
    const s = nodesPerRack(source);
    const t = nodesPerRack(target);
    s.forEach(([, nodes], i) => {
      const targets = t[i]![1];
      nodes.forEach((src, j) => hosts.set(targets[j]!, { sources: [src], seed: input.seeds.has(targets[j]!) }));
    });
  }
  return { inPlace, useSstableloader: false, hosts: ordered(hosts) };
}

/** One line of a host list. */
export interface HostListEntry {
  readonly seed: boolean;
  readonly target: string;
  readonly source: string;
}

/**
 * Parses a `--host-list` file: `is_seed<sep>target<sep>source` per line, blank lines and `#`
 * comments skipped, fields trimmed, seed iff the first field is literally `True` (as Medusa).
 * A line without exactly three fields, an empty host or a target listed twice is a `UsageError`
 * naming the line.
 */
export function parseHostList(text: string, separator: string, file = 'host list'): HostListEntry[] {
  if (separator === '') throw new UsageError('host_file_separator must not be empty');
  const out: HostListEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(separator).map((f) => f.trim());
    if (fields.length !== 3) throw new UsageError(`${file} line ${i + 1}: expected is_seed${separator}target${separator}source, got "${line}"`);
    const [seed, target, source] = fields as [string, string, string];
    if (target === '' || source === '') throw new UsageError(`${file} line ${i + 1}: empty host name`);
    if (seen.has(target)) throw new UsageError(`${file} line ${i + 1}: target ${target} is listed twice`);
    seen.add(target);
    out.push({ seed: seed === 'True', target, source });
  });
  if (out.length === 0) throw new UsageError(`${file} lists no host`);
  return out;
}

/**
 * The mapping for `--host-list`: always a remote restore in copy mode (Medusa's rule), unless
 * `forceSstableloader`. Every source must be in the backup's tokenmap.
 */
export function mapFromHostList(entries: readonly HostListEntry[], source: TokenMap, forceSstableloader = false): RestoreMapping {
  const unknown = entries.filter((e) => !source.has(e.source)).map((e) => e.source);
  if (unknown.length > 0) throw new RestoreMappingError(`host list names source host(s) that are not in the backup: ${unknown.join(', ')} (backup hosts: ${[...source.keys()].join(', ')})`);
  const hosts = new Map<string, TargetAssignment>();
  for (const e of entries) hosts.set(e.target, { sources: [e.source], seed: e.seed });
  return { inPlace: false, useSstableloader: forceSstableloader, hosts: ordered(hosts), ...(forceSstableloader ? { sstableloaderReason: '--use-sstableloader was given' } : {}) };
}

/** Backup hosts that no target restores (a copy-mode restore would lose their data). */
export function unmappedSources(mapping: RestoreMapping, source: TokenMap): string[] {
  const used = new Set([...mapping.hosts.values()].flatMap((a) => a.sources));
  return [...source.keys()].filter((k) => !used.has(k));
}

/** The mapping as lines for the operator: `target <- source[, source] (seed)`. */
export function describeMapping(mapping: RestoreMapping): string[] {
  const lines = [
    `Restore mode: ${mapping.useSstableloader ? `sstableloader (${mapping.sstableloaderReason ?? 'topologies differ'})` : 'copy'}, ${mapping.inPlace ? 'in place' : 'remote'}`,
  ];
  for (const [t, a] of mapping.hosts) lines.push(`  ${t} <- ${a.sources.join(', ')}${a.seed ? ' (seed)' : ''}`);
  return lines;
}
