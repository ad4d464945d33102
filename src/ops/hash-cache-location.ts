/**
 * Where the hash cache is kept between runs: `$MEDUSA_CACHE_DIR/hash-cache.json` when set (tests,
 * operators), else `$XDG_CACHE_HOME/medusa-ts/` or `~/.cache/medusa-ts/`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Path of the persisted hash cache for this environment. */
export function hashCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['MEDUSA_CACHE_DIR'] || join(env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache'), 'medusa-ts');
  return join(dir, 'hash-cache.json');
}

/**
 * The folder of `hashCachePath`, as a POSIX shell expression (double-quote it): the same rule for
 * commands that run on other hosts, under the environment of the medusa that will run there.
 */
export const CACHE_DIR_SHELL = '${MEDUSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medusa-ts}';
