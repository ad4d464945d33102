/**
 * When the MD5 of a put's source, hashed while the kernel copies it, may be recorded as the MD5 of
 * the copy (`LocalBackend.putByKernelCopy`): the recorded MD5 must be the stored bytes' (a
 * differential reuses an object on it), and hashing the copy after it was made left one core idle
 * per large file (2 GB bench node: limit/ours 0.74 -> 0.97 with the two at once).
 *
 * The source is taken as unchanged between the two reads when its identity, size, mtime and ctime
 * are the same before and after, AND it had been left alone for {@link SETTLED_NS} before the put
 * began. Why ctime: every write and every attribute change (utimes included) sets it to the current
 * time, and no call sets it back, so a write during the copy shows unless it landed in the same
 * clock tick as the file's last change; the settled interval, far longer than a tick, rules that
 * out. A snapshot's SSTable components are hard links to immutable files written long before. Any
 * doubt: the caller hashes the copy.
 */
import type { BigIntStats } from 'node:fs';

/** How long before the put the source's last change (ctime) must lie. */
export const SETTLED_NS = 1_000_000_000n;

/** The stats compared (a subset of `BigIntStats`, so tables can build them). */
export type SourceStat = Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>;

/**
 * Whether the source's MD5 stands for the copy's: `before`/`after` are the source's stats around
 * the copy and the hash, `startedNs` the wall clock (ns) just before `before` was taken,
 * `hashedBytes` what the hash read, `copyBytes` the copy's size.
 */
export function sourceHashStandsForCopy(before: SourceStat, after: SourceStat, startedNs: bigint, hashedBytes: number, copyBytes: bigint): boolean {
  const unchanged = after.dev === before.dev && after.ino === before.ino && after.size === before.size && after.mtimeNs === before.mtimeNs && after.ctimeNs === before.ctimeNs;
  const settled = before.ctimeNs <= startedNs - SETTLED_NS;
  return unchanged && settled && BigInt(hashedBytes) === before.size && copyBytes === before.size;
}
