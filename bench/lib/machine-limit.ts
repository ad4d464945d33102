/**
 * The machine's real limit for a local backup or restore of a set of files: `cp -r` of the files
 * and an MD5 of every one of them spread over both cores (`xargs -P2 md5sum`), run at the same
 * time. Our backup and restore copy and hash each file once, so on 2 cores they can at best
 * overlap the two as this does; `cp -r` followed by `md5sum` (a serial pipeline) is a slower and
 * so a softer baseline.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Seconds to copy `source` to `copy` (removed afterwards) while hashing `source`'s files. */
export function machineLimitSeconds(source: string, copy: string): number {
  rmSync(copy, { recursive: true, force: true });
  execFileSync('sync');
  const t0 = performance.now();
  execFileSync('bash', ['-c', 'cp -r "$1" "$2" & find "$1" -type f -print0 | xargs -0 -P2 -n 8 md5sum > /dev/null; wait', 'bash', source, copy]);
  const s = (performance.now() - t0) / 1000;
  rmSync(copy, { recursive: true, force: true });
  return s;
}

/** The 1-, 5- and 15-minute load averages, and the CPUs this process may run on. */
export function loadAndPinning(): string {
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  const cpus = execFileSync('bash', ['-c', 'taskset -cp $PPID | sed "s/.*: //"'], { encoding: 'utf8' }).trim();
  return `load ${load}, cpus ${cpus}`;
}
