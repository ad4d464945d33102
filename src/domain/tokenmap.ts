/**
 * `tokenmap.json` (reference §3.3): the ring of the backed-up node's datacenter, keyed by host
 * name. Tokens are signed 64-bit integers held as `bigint` end to end.
 */
import { DocumentError } from './document-error.js';
import { parseLossless, type LosslessJson } from './json-lossless.js';
import { dumpsPython, type PythonJsonValue } from './python-json.js';

/** One host of a tokenmap. `rack`/`dc` are absent in backups taken before mid-2021. */
export interface TokenMapHost {
  readonly tokens: readonly bigint[];
  readonly is_up: boolean;
  readonly rack?: string;
  readonly dc?: string;
}

/** Host name → placement, in the document's order. */
export type TokenMap = ReadonlyMap<string, TokenMapHost>;

const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;

function isObject(v: LosslessJson): v is { [key: string]: LosslessJson } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseToken(key: string, host: string, raw: LosslessJson): bigint {
  // Medusa writes integers; a token as a decimal string is accepted too, being equally lossless.
  let token: bigint | undefined;
  if (typeof raw === 'bigint') token = raw;
  else if (typeof raw === 'string' && /^-?[0-9]+$/.test(raw)) token = BigInt(raw);
  if (token === undefined) throw new DocumentError(key, `host ${host}: token ${JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))} is not an integer`);
  if (token < MIN_TOKEN || token > MAX_TOKEN) throw new DocumentError(key, `host ${host}: token ${token} is outside the signed 64-bit range`);
  return token;
}

/** Parses a tokenmap document; `key` names the object in errors. */
export function parseTokenMap(text: string, key: string): TokenMap {
  let doc: LosslessJson;
  try {
    doc = parseLossless(text);
  } catch (err) {
    throw new DocumentError(key, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(doc)) throw new DocumentError(key, 'expected a JSON object of hosts');
  const map = new Map<string, TokenMapHost>();
  for (const [host, entry] of Object.entries(doc)) {
    if (!isObject(entry)) throw new DocumentError(key, `host ${host}: expected an object`);
    const rawTokens = entry['tokens'];
    // Medusa's k8s code path writes a single token as a bare integer; accept both forms.
    const list = Array.isArray(rawTokens) ? rawTokens : rawTokens === undefined ? undefined : [rawTokens];
    if (list === undefined) throw new DocumentError(key, `host ${host}: missing "tokens"`);
    const tokens = list.map((t) => parseToken(key, host, t));
    const isUp = entry['is_up'];
    const rack = entry['rack'];
    const dc = entry['dc'];
    map.set(host, {
      tokens,
      is_up: isUp === undefined ? true : isUp === true,
      ...(typeof rack === 'string' ? { rack } : {}),
      ...(typeof dc === 'string' ? { dc } : {}),
    });
  }
  return map;
}

/** Writes a tokenmap exactly as Medusa does (Python json.dumps, insertion order). */
export function encodeTokenMap(map: TokenMap): string {
  const doc: Record<string, PythonJsonValue> = {};
  for (const [host, entry] of map) {
    doc[host] = {
      tokens: [...entry.tokens],
      is_up: entry.is_up,
      ...(entry.rack !== undefined ? { rack: entry.rack } : {}),
      ...(entry.dc !== undefined ? { dc: entry.dc } : {}),
    };
  }
  return dumpsPython(doc);
}

/**
 * Tokens as Python prints a list of ints (`[1, -2]`), the form `fetch-tokenmap` shows.
 */
export function formatTokenList(tokens: readonly bigint[]): string {
  return `[${tokens.map((t) => t.toString()).join(', ')}]`;
}
