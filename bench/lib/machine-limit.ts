/**
 * The machine's real limit for a local backup or restore of a set of files: `cp -r` of the files
 * and an MD5 of every one of them spread over both cores, run at the same time. Our backup and
 * restore copy and hash each file once, so on 2 cores they can at best overlap the two as this
 * does; `cp -r` followed by `md5sum` (a serial pipeline) is a slower and so a softer baseline.
 *
 * The source is read once before the clock starts (warm page cache, as the other baselines).
 * "Spread over both cores": the files are dealt into two lists of about the same number of bytes
 * (largest first), each hashed by its own `md5sum` run. `xargs -P2 -n K` over `find` order would
 * leave the hashing to one core whenever the few large files fall into one group of K.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every file under `dir` with its size. */
function filesUnder(dir: string): Array<{ path: string; size: number }> {
  const out: Array<{ path: string; size: number }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, size: statSync(path).size });
  }
  return out;
}

/** Seconds to copy `source` to `copy` (removed afterwards) while hashing `source`'s files on two cores. */
export function machineLimitSeconds(source: string, copy: string): number {
  rmSync(copy, { recursive: true, force: true });
  const lists = mkdtempSync(join(tmpdir(), 'medusa-limit-'));
  try {
    const bins: Array<{ bytes: number; paths: string[] }> = [{ bytes: 0, paths: [] }, { bytes: 0, paths: [] }];
    for (const f of filesUnder(source).sort((a, b) => b.size - a.size)) {
      const bin = bins[0]!.bytes <= bins[1]!.bytes ? bins[0]! : bins[1]!;
      bin.bytes += f.size;
      bin.paths.push(f.path);
    }
    // Each path ends with its NUL, so the two lists can be read one after the other.
    bins.forEach((bin, i) => writeFileSync(join(lists, `l${i}`), bin.paths.map((p) => `${p}\0`).join('')));
    // Warm, as the other baselines and our runs are: the source read once into the page cache
    // (a kernel copy of it does not leave it there, and a cold read here measures the disk).
    execFileSync('bash', ['-c', 'cat "$1/l0" "$1/l1" | xargs -0 cat > /dev/null', 'bash', lists]);
    execFileSync('sync');
    const t0 = performance.now();
    execFileSync('bash', ['-c', 'cp -r "$1" "$2" & xargs -0 -a "$3/l0" md5sum > /dev/null & xargs -0 -a "$3/l1" md5sum > /dev/null & wait', 'bash', source, copy, lists]);
    const s = (performance.now() - t0) / 1000;
    rmSync(copy, { recursive: true, force: true });
    return s;
  } finally {
    rmSync(lists, { recursive: true, force: true });
  }
}

/** The 1-, 5- and 15-minute load averages, and the CPUs this process may run on. */
export function loadAndPinning(): string {
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  const cpus = execFileSync('bash', ['-c', 'taskset -cp $PPID | sed "s/.*: //"'], { encoding: 'utf8' }).trim();
  return `load ${load}, cpus ${cpus}`;
}
