/**
 * Parsing of stored JSON documents in which integers may exceed 2^53 (Murmur3 tokens are signed
 * 64-bit). Node 20's JSON.parse would silently round them; lossless-json hands us each number's
 * source text instead.
 */
import { isInteger, parse } from 'lossless-json';

/** A JSON value whose integers are `bigint` and whose other numbers are `number`. */
export type LosslessJson = null | boolean | bigint | number | string | LosslessJson[] | { [key: string]: LosslessJson };

/** Parses JSON text; integers become `bigint`. Throws `SyntaxError` on malformed text. */
export function parseLossless(text: string): LosslessJson {
  return parse(text, undefined, (digits: string) => (isInteger(digits) ? BigInt(digits) : Number(digits))) as LosslessJson;
}
