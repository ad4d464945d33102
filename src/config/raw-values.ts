/**
 * The untyped configuration while its layers are applied (defaults → file → command line →
 * Kubernetes → environment → secret files): for each section and canonical key, the winning text
 * and where it came from, so an error can say "line 12" or "from MEDUSA_RESOLVE_IP_ADDRESSES".
 */
import type { SectionName } from './schema.js';
import { SECTION_NAMES } from './schema.js';

/** Where a value came from. */
export type Origin =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly line: number }
  | { readonly kind: 'option'; readonly flag: string }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'kubernetes' }
  | { readonly kind: 'secret-file'; readonly path: string };

/** One key's current text and its origin. */
export interface RawValue {
  readonly text: string;
  readonly origin: Origin;
}

/** Section → canonical key → value. Later layers overwrite earlier ones. */
export type RawValues = Record<SectionName, Map<string, RawValue>>;

/** An empty store with every section present. */
export function emptyRawValues(): RawValues {
  return Object.fromEntries(SECTION_NAMES.map((s) => [s, new Map<string, RawValue>()])) as RawValues;
}

/** A suffix for messages saying where the value came from ('' for built-in defaults). */
export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'default':
    case 'kubernetes':
      return '';
    case 'file':
      return ` (line ${origin.line})`;
    case 'option':
      return ` (from ${origin.flag})`;
    case 'env':
      return ` (from environment variable ${origin.variable})`;
    case 'secret-file':
      return ` (from ${origin.path})`;
  }
}
