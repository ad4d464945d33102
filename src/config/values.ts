/**
 * Turns the ini text of one key into its typed value, following the key's {@link KeySpec}.
 * Messages never quote the text of a secret key.
 */
import type { KeySpec } from './schema.js';
import { parseHumanSize, SIZE_HINT } from './sizes.js';

/** Result of {@link convertValue}: a value (maybe with a warning), or why the text is wrong. */
export type Conversion =
  | { readonly ok: true; readonly value: unknown; readonly warning?: string }
  | { readonly ok: false; readonly message: string };

const TRUE_WORDS = ['1', 'yes', 'true', 'on'];
const FALSE_WORDS = ['0', 'no', 'false', 'off'];

/**
 * A configparser boolean (`getboolean` / Medusa's `evaluate_boolean`): `1 yes true on` or
 * `0 no false off`, any case, surrounding white space ignored; `undefined` for anything else.
 */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}

function shown(spec: KeySpec, text: string): string {
  return spec.secret ? 'the value' : JSON.stringify(text);
}

function convertInt(spec: KeySpec, text: string): Conversion {
  // Python's int() accepts surrounding white space, a sign and digits; so do we (no fractions, no units).
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return { ok: false, message: `${shown(spec, text)} is not a whole number` };
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) return { ok: false, message: `${shown(spec, text)} is too large` };
  if (spec.min !== undefined && value < spec.min) {
    return { ok: false, message: `${value} is too small (minimum ${spec.min})` };
  }
  if (spec.max !== undefined && value > spec.max) {
    return { ok: false, message: `${value} is too large (maximum ${spec.max})` };
  }
  return { ok: true, value };
}

function convertEnum(spec: KeySpec, text: string): Conversion {
  const values = spec.values ?? [];
  const wanted = text.trim().toLowerCase();
  const found = values.find((v) => v.toLowerCase() === wanted);
  if (found !== undefined) return { ok: true, value: found };
  // Python logging also knows these spellings; keep configs written for it working.
  const aliases: Record<string, string> = { warn: 'WARNING', fatal: 'CRITICAL' };
  const alias = aliases[wanted];
  if (alias !== undefined && values.includes(alias)) return { ok: true, value: alias };
  return { ok: false, message: `${shown(spec, text)} is not one of ${values.join(', ')}` };
}

function convertLiteralTrue(text: string): Conversion {
  if (text === 'true') return { ok: true, value: true };
  if (parseBoolean(text) === true) {
    return {
      ok: true,
      value: false,
      warning: `${JSON.stringify(text)} is read as false: like Medusa, only the exact text "true" turns this on`,
    };
  }
  return { ok: true, value: false };
}

/** Converts `text` (already trimmed by the ini reader) to the type `spec` describes. Pure. */
export function convertValue(spec: KeySpec, text: string): Conversion {
  switch (spec.type) {
    case 'string':
      return { ok: true, value: text };
    case 'int':
      return convertInt(spec, text);
    case 'bool': {
      const value = parseBoolean(text);
      if (value === undefined) {
        return { ok: false, message: `${shown(spec, text)} is not a boolean (use true/false, yes/no, on/off or 1/0)` };
      }
      return { ok: true, value };
    }
    case 'size':
    case 'bandwidth':
      try {
        return { ok: true, value: parseHumanSize(text) };
      } catch {
        return { ok: false, message: `${shown(spec, text)} is not a size; ${SIZE_HINT}` };
      }
    case 'enum':
      return convertEnum(spec, text);
    case 'list':
      return { ok: true, value: text.split(/\s+/).filter((part) => part !== '') };
    case 'literal-true':
      return convertLiteralTrue(text);
  }
}
