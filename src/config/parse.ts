/**
 * `parseConfig`: `medusa.ini` text + environment + command-line overrides → a frozen, typed
 * `MedusaConfig`, exactly as Python Medusa 0.31 builds its configuration (reference §2), with the
 * fixes of design §2. Pure: no file, DNS or clock access; `load.ts` does the I/O and calls this.
 *
 * Order of layers (lowest first): built-in defaults → ini file → command-line overrides →
 * Kubernetes adjustments → environment variables → k8s secret files → fqdn default.
 */
import { ConfigError } from '../util/errors.js';
import type { ConfigProblem } from '../util/errors.js';
import { readIni } from './ini-reader.js';
import {
  applyDefaults,
  applyEnv,
  applyIniDocument,
  applyKubernetes,
  applyOverrides,
  applySecrets,
} from './layers.js';
import type { Env, K8sSecrets, LayerReport } from './layers.js';
import { describeOrigin, emptyRawValues } from './raw-values.js';
import type { RawValues } from './raw-values.js';
import { CONFIG_SCHEMA, SECTION_NAMES } from './schema.js';
import type { KeySpec, SectionName } from './schema.js';
import type { ConfigOverrides, MedusaConfig } from './types.js';
import { validateStorage } from './validate.js';
import { convertValue } from './values.js';

/** Inputs of {@link parseConfig} besides the ini text. All optional. */
export interface ParseOptions {
  /** Environment variables (`process.env` in production); default: none. */
  readonly env?: Env;
  /** Global command-line options that override keys. */
  readonly overrides?: ConfigOverrides;
  /**
   * This node's computed fqdn (reference §2.9), used when neither the file, `--fqdn` nor `POD_IP`
   * (Kubernetes mode) gives one. When absent and needed, `fqdn` is `''` and `fqdnSource` says so.
   */
  readonly defaultFqdn?: string;
  /** Name of the file, used to prefix error messages and file-located warnings. */
  readonly fileName?: string;
  /** Credentials already read from the k8s secret folders. */
  readonly secrets?: K8sSecrets;
}

/** Where `[storage] fqdn` came from. `default` = `defaultFqdn` (or `''` when it was not given). */
export type FqdnSource = 'file' | 'command-line' | 'POD_IP' | 'default';

/** Result of {@link parseConfig}. */
export interface ParseResult {
  /** Deeply frozen. */
  readonly config: Readonly<MedusaConfig>;
  /** Things an operator should hear about but that do not stop Medusa (unknown keys, deprecated names). */
  readonly warnings: readonly string[];
  readonly fqdnSource: FqdnSource;
}

function isOptional(spec: KeySpec): boolean {
  return spec.default === undefined && spec.dynamicDefault === undefined && spec.required !== true;
}

function convertSection(
  section: SectionName,
  raw: RawValues,
  problems: ConfigProblem[],
  warnings: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_SCHEMA[section] as Record<string, KeySpec>)) {
    if (spec.derived || spec.dynamicDefault === 'fqdn') continue; // computed by the caller
    const value = raw[section].get(key);
    if (value === undefined || (spec.required && value.text === '')) {
      if (spec.required) problems.push({ section, key, message: value ? `is empty${describeOrigin(value.origin)}` : 'is required' });
      else if (spec.type === 'literal-true') out[key] = false;
      continue;
    }
    if (isOptional(spec) && (value.text === '' || spec.unsetWords?.includes(value.text))) continue;
    const converted = convertValue(spec, value.text);
    if (!converted.ok) {
      problems.push({ section, key, message: converted.message + describeOrigin(value.origin) });
      continue;
    }
    if (converted.warning) warnings.push(`[${section}] ${key}: ${converted.warning}${describeOrigin(value.origin)}`);
    out[key] = converted.value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The fqdn given by the file, `--fqdn` or `POD_IP`; an empty value counts as not given. */
function givenFqdn(raw: RawValues): { text: string; source: FqdnSource } | undefined {
  const value = raw.storage.get('fqdn');
  if (!value || value.text === '') return undefined;
  const kind = value.origin.kind;
  return { text: value.text, source: kind === 'option' ? 'command-line' : kind === 'env' ? 'POD_IP' : 'file' };
}

/**
 * Parses and validates a configuration. Throws `ConfigError` listing every problem found
 * (syntax, types, required keys, provider, names), each with its section and key, and never
 * quoting a secret. Unknown sections and keys are warnings, not errors.
 */
export function parseConfig(iniText: string, options: ParseOptions = {}): ParseResult {
  const env = options.env ?? {};
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const report: LayerReport = { problems, warnings, filePrefix: options.fileName ? `${options.fileName}: ` : '' };

  const raw = emptyRawValues();
  applyDefaults(raw, env);
  applyIniDocument(raw, readIni(iniText), report);
  applyOverrides(raw, options.overrides ?? {});
  applyKubernetes(raw, env, report);
  applyEnv(raw, env, report);
  applySecrets(raw, options.secrets ?? {});

  const draft = Object.fromEntries(
    SECTION_NAMES.map((section) => [section, convertSection(section, raw, problems, warnings)]),
  ) as unknown as MedusaConfig;
  const fqdn = givenFqdn(raw);
  const fqdnSource = fqdn?.source ?? 'default';
  draft.storage.fqdn = fqdn?.text ?? options.defaultFqdn ?? '';
  draft.storage.k8s_mode = draft.kubernetes.enabled === true;
  validateStorage(draft.storage, { problems, warnings });

  if (problems.length > 0) throw new ConfigError(problems, options.fileName);
  return { config: deepFreeze(draft), warnings, fqdnSource };
}
