/**
 * Where the hash cache is kept between runs: `$MEDUSA_CACHE_DIR/hash-cache.json` when set (tests,
 * operators), else `$XDG_CACHE_HOME/medusa-ts/` or `~/.cache/medusa-ts/`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Path of the persisted hash cache for this environment. */
export function hashCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['MEDUSA_CACHE_DIR'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'medusa-ts');
  return join(dir, 'hash-cache.json');
}
