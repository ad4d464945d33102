/**
 * Keeps secrets (passwords, the SSE-C key: every key the schema marks `secret`) out of logs and
 * outputs (design §4).
 */
import type { KeySpec } from './schema.js';
import { CONFIG_SCHEMA, SECTION_NAMES } from './schema.js';
import type { MedusaConfig } from './types.js';

/** What a secret value is replaced with. */
export const REDACTED = '****';

function secretKeys(section: keyof MedusaConfig): string[] {
  return Object.entries(CONFIG_SCHEMA[section] as Record<string, KeySpec>)
    .filter(([, spec]) => spec.secret === true)
    .map(([key]) => key);
}

/**
 * A deep copy of `config` in which every secret that is set reads {@link REDACTED}; unset
 * secrets stay unset (so the output still shows whether one is configured). The input is not changed.
 */
export function redactConfig(config: Readonly<MedusaConfig>): MedusaConfig {
  const copy = structuredClone(config) as MedusaConfig;
  for (const section of SECTION_NAMES) {
    const values = copy[section] as unknown as Record<string, unknown>;
    for (const key of secretKeys(section)) {
      if (values[key] !== undefined && values[key] !== '') values[key] = REDACTED;
    }
  }
  return copy;
}

/**
 * Every non-empty secret value in `config`, longest first (so a scrubber replacing them in turn
 * never leaves the tail of a longer secret that contains a shorter one).
 */
export function secretValues(config: Readonly<MedusaConfig>): string[] {
  const found = new Set<string>();
  for (const section of SECTION_NAMES) {
    const values = config[section] as unknown as Record<string, unknown>;
    for (const key of secretKeys(section)) {
      const value = values[key];
      if (typeof value === 'string' && value !== '') found.add(value);
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each of `secrets` (from {@link secretValues}) replaced by {@link REDACTED}. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}
