/**
 * What an object key may look like, checked by every backend before it touches a store, and the
 * byte order listings are sorted in.
 *
 * A key comes from a manifest or a listing written by someone else; on the local backend it becomes
 * a file path, so a key that could name something outside the bucket (`..`, an absolute path) must
 * never reach the file system. Object stores would accept such keys, but refusing them everywhere
 * keeps one rule for every provider: a bucket we write can be restored to a folder tree.
 */
import { ConflictError } from './errors.js';

/**
 * A key or prefix that no backend accepts (`..` or `.` segment, empty segment, leading `/`, NUL).
 * Permanent: retrying cannot change the key.
 */
export class InvalidKeyError extends ConflictError {}

function badSegment(segment: string): string | undefined {
  if (segment === '') return 'an empty path segment';
  if (segment === '.' || segment === '..') return `a "${segment}" segment`;
  return undefined;
}

/** The key as a JSON string, so control characters such as NUL show as `\u0000`. */
function describeKey(key: string): string {
  return JSON.stringify(key);
}

/**
 * Throws `InvalidKeyError` unless `key` is a usable object key: non-empty, `/`-separated segments
 * that are each non-empty and neither `.` nor `..`, no leading or trailing `/`, no NUL byte.
 */
export function assertObjectKey(provider: string, key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new InvalidKeyError(`${provider}: refusing object key ${describeKey(key)}: ${problem}`);
}

/** The reason `key` is not a usable object key, or `undefined` when it is. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (key.includes('\0')) return 'it contains a NUL byte';
  if (key.startsWith('/')) return 'it is an absolute path';
  for (const segment of key.split('/')) {
    const bad = badSegment(segment);
    if (bad) return `it contains ${bad}`;
  }
  return undefined;
}

/**
 * Throws `InvalidKeyError` unless `prefix` is a usable listing prefix: `''`, or complete segments
 * following the key rules, then optionally a trailing `/` or a partial last segment (`a/b` lists
 * `a/b/x` and `a/bc`). A partial last segment is only ever compared as a string, so `a/.` is allowed.
 */
export function assertListPrefix(provider: string, prefix: string): void {
  const problem = prefixProblem(prefix);
  if (problem) throw new InvalidKeyError(`${provider}: refusing listing prefix ${describeKey(prefix)}: ${problem}`);
}

/** The reason `prefix` is not a usable listing prefix, or `undefined` when it is. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (prefix.includes('\0')) return 'it contains a NUL byte';
  if (prefix.startsWith('/')) return 'it is an absolute path';
  const segments = prefix.split('/');
  segments.pop(); // the partial (or empty, after a trailing `/`) last segment
  for (const segment of segments) {
    const bad = badSegment(segment);
    if (bad) return `it contains ${bad}`;
  }
  return undefined;
}

/**
 * Orders keys by their UTF-8 bytes, the order S3, GCS and Azure list in. JavaScript's `<` compares
 * UTF-16 code units, which puts U+E000..U+FFFF after characters outside the Basic Multilingual Plane;
 * UTF-8 byte order is code point order, so the surrogate range is moved above U+FFFF before comparing
 * (no allocation, since listings sort hundreds of thousands of keys).
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
