/** Shared inputs for the config tests. */
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/parse.js';
import type { ParseOptions, ParseResult } from '../../../src/config/parse.js';
import { ConfigError } from '../../../src/util/errors.js';
import type { ConfigProblem } from '../../../src/util/errors.js';

/** The smallest valid file. */
export const MINIMAL = '[storage]\nstorage_provider = local\nbucket_name = b\nbase_path = /var/backups\n';

/** Parses `MINIMAL` plus extra sections (they must not repeat [storage]). */
export function parseWith(extra: string, options: ParseOptions = {}): ParseResult {
  return parseConfig(MINIMAL + extra, { defaultFqdn: 'node1.example.com', ...options });
}

/** Parses storage lines instead of MINIMAL's. */
export function parseStorage(storageLines: string, options: ParseOptions = {}, extra = ''): ParseResult {
  return parseConfig(`[storage]\n${storageLines}\n${extra}`, { defaultFqdn: 'node1.example.com', ...options });
}

/** The problems of the ConfigError `fn` throws (fails when it does not throw one). */
export function problemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

/** `section key` of each problem, to compare sets in tests. */
export function where(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `${p.section} ${p.key ?? ''}`.trim());
}
