/**
 * Where the harness keeps things: the repository root, and the gitignored cache (`.cache/` at the
 * repository root) that holds the Cassandra jars between runs. Override the cache with
 * MEDUSA_TEST_CACHE_DIR.
 */
import { join, resolve } from 'node:path';

/** Absolute path of the repository root. */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Absolute path of the harness's cache directory (created on demand by its users). */
export function cacheDir(): string {
  return process.env.MEDUSA_TEST_CACHE_DIR ?? join(repoRoot, '.cache');
}

/** The folder of this harness, where its pom.xml lives. */
export const harnessDir = import.meta.dirname;
