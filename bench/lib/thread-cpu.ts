/**
 * Per-thread CPU of this process, from `/proc/self/task` (Linux only), for benchmarks that ask
 * where a download's CPU goes: the main thread (JavaScript, the HTTP parser, write calls), the
 * threads that existed before the measured work (V8's helpers, mostly garbage collection, and
 * libuv's pool: file writes and reads), and those started during it (hash workers). Threads that
 * end before the last sample keep the CPU they had at the last sample (sampled every 100 ms).
 */
import { readdirSync, readFileSync } from 'node:fs';

const USER_HZ = 100;

/** [user, system] CPU seconds of thread `tid`. */
function threadSeconds(tid: string): [number, number] | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(f[11]) / USER_HZ, Number(f[12]) / USER_HZ];
  } catch {
    return undefined;
  }
}

function sample(into: Map<string, [number, number]>): void {
  for (const tid of readdirSync('/proc/self/task')) {
    const s = threadSeconds(tid);
    if (s !== undefined) into.set(tid, s);
  }
}

/** CPU seconds by group of threads during the measured work. */
export interface ThreadCpu {
  /** Each group as [user, system] seconds. */
  readonly main: [number, number];
  /** Threads present at the start other than the main one (V8 platform workers, libuv's pool). */
  readonly helpers: [number, number];
  /** Threads started during the work (worker threads, e.g. hash workers). */
  readonly started: [number, number];
  /** The whole process (getrusage), which also counts threads that ended between samples. */
  readonly total: number;
}

/** Starts measuring; `stop()` returns the CPU each group used since. */
export function measureThreads(): { stop(): ThreadCpu } {
  const before = new Map<string, [number, number]>();
  sample(before);
  const last = new Map<string, [number, number]>();
  const timer = setInterval(() => sample(last), 100);
  const usage0 = process.cpuUsage();
  return {
    stop(): ThreadCpu {
      clearInterval(timer);
      sample(last);
      const usage = process.cpuUsage(usage0);
      const pid = String(process.pid);
      const main: [number, number] = [0, 0];
      const helpers: [number, number] = [0, 0];
      const started: [number, number] = [0, 0];
      for (const [tid, [user, sys]] of last) {
        const [user0, sys0] = before.get(tid) ?? [0, 0];
        const group = tid === pid ? main : before.has(tid) ? helpers : started;
        group[0] += user - user0;
        group[1] += sys - sys0;
      }
      return { main, helpers, started, total: (usage.user + usage.system) / 1e6 };
    },
  };
}
