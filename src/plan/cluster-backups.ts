/**
 * Pure: groups node backups into cluster backups and judges completeness (reference §3.4 step 4,
 * design §2): complete ⇔ no tokenmap host is missing, at least one node backup belongs to the
 * tokenmap, and every such node backup finished. Node backups of hosts outside the tokenmap
 * (another datacenter, a stray) are reported but neither required nor counted toward `started`
 * or `finished` (Medusa 0.31 counts only expected node backups for the start time too).
 */
import type { ClusterBackup, NodeBackup } from '../domain/backups.js';
import type { TokenMap } from '../domain/tokenmap.js';

/** Orders node backups as Medusa does: by start time, ties by fqdn. */
export function byStartThenFqdn(a: NodeBackup, b: NodeBackup): number {
  return a.started - b.started || (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0);
}

/** The node backup whose tokenmap represents the cluster backup: the one that started first. */
export function firstNodeBackup(nodeBackups: readonly NodeBackup[]): NodeBackup {
  const sorted = [...nodeBackups].sort(byStartThenFqdn);
  const first = sorted[0];
  if (!first) throw new RangeError('a cluster backup needs at least one node backup');
  return first;
}

/** Groups node backups by name; each group sorted by start, groups in name order. */
export function groupByName(nodeBackups: readonly NodeBackup[]): Map<string, NodeBackup[]> {
  const groups = new Map<string, NodeBackup[]>();
  for (const nb of [...nodeBackups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    let group = groups.get(nb.name);
    if (!group) groups.set(nb.name, (group = []));
    group.push(nb);
  }
  for (const group of groups.values()) group.sort(byStartThenFqdn);
  return groups;
}

/** Judges one cluster backup. `nodeBackups` share `name`; `tokenmap` is the first one's. */
export function assembleClusterBackup(name: string, nodeBackups: readonly NodeBackup[], tokenmap: TokenMap): ClusterBackup {
  const sorted = [...nodeBackups].sort(byStartThenFqdn);
  const first = sorted[0];
  if (!first) throw new RangeError(`cluster backup ${name} has no node backup`);
  const hosts = new Set(sorted.map((nb) => nb.fqdn));
  const missingNodes = [...tokenmap.keys()].filter((h) => !hosts.has(h)).sort();
  // Medusa reports node counts over the expected node backups, in tokenmap order.
  const byHost = new Map(sorted.map((nb) => [nb.fqdn, nb]));
  const expected = [...tokenmap.keys()].flatMap((host) => byHost.get(host) ?? []);
  const unexpectedNodes = sorted.filter((nb) => !tokenmap.has(nb.fqdn));
  const completeNodes = expected.filter((nb) => nb.finished !== undefined);
  const incompleteNodes = expected.filter((nb) => nb.finished === undefined);
  const complete = missingNodes.length === 0 && expected.length > 0 && expected.every((nb) => nb.finished !== undefined);
  const finished = complete ? Math.max(...expected.map((nb) => nb.finished!)) : undefined;
  return {
    name,
    nodeBackups: sorted,
    tokenmap,
    missingNodes,
    completeNodes,
    incompleteNodes,
    unexpectedNodes,
    complete,
    // Medusa 0.31 takes the earliest start of the expected node backups and crashes when there is
    // none; the earliest of all of them is the only time such a backup has.
    started: Math.min(...(expected.length > 0 ? expected : sorted).map((nb) => nb.started)),
    ...(finished !== undefined ? { finished } : {}),
    backupType: first.differential ? 'differential' : 'full',
  };
}

function byName(a: ClusterBackup, b: ClusterBackup): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The backup with the greatest `score`; on a tie the first by name, as Python's `max` picks. */
function maxBy(backups: readonly ClusterBackup[], score: (b: ClusterBackup) => number | undefined): ClusterBackup | undefined {
  let best: ClusterBackup | undefined;
  let bestScore = -Infinity;
  for (const b of [...backups].sort(byName)) {
    const s = score(b);
    if (s !== undefined && s > bestScore) [best, bestScore] = [b, s];
  }
  return best;
}

/** The complete cluster backup that finished last (reference §3.4 step 5), if any. */
export function latestCompleteBackup(backups: readonly ClusterBackup[]): ClusterBackup | undefined {
  return maxBy(backups, (b) => b.finished);
}

/** The cluster backup that started last, complete or not. */
export function latestBackup(backups: readonly ClusterBackup[]): ClusterBackup | undefined {
  return maxBy(backups, (b) => b.started);
}
