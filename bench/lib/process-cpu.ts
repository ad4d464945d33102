/**
 * CPU time of processes, for benchmarks that compare a client's cost with the server's on a shared
 * machine (wall-clock ratios there mostly measure how much CPU each side got). Linux `/proc` only.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** User + system CPU seconds used so far by process `pid` (its threads included), or 0 if gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return 0;
  }
}

/**
 * The Ceph daemons (mon, osd, radosgw) of the radosgw answering on `port`: the processes started
 * with a `ceph.conf` whose beast endpoint is that port.
 */
export function radosgwPids(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const conf = args[args.indexOf('-c') + 1];
      if (!/^(ceph-mon|ceph-osd|radosgw)$/.test((args[0] ?? '').split('/').pop() ?? '') || !conf) continue;
      if (readFileSync(conf, 'utf8').includes(`endpoint=127.0.0.1:${port}\n`)) pids.push(Number(entry));
    } catch {
      // A process that ended meanwhile, or one we may not read.
    }
  }
  return pids;
}

/** The 1-minute load average. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
}
