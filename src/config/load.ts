/**
 * `loadConfig`: the I/O around `parseConfig`. Reads the ini file (default `/etc/medusa/medusa.ini`),
 * the k8s secret folders it names, and computes the fqdn when none is configured.
 *
 * The text is parsed twice: the first pass finds the secret folders and the settings the fqdn
 * computation needs (after environment variables), the second applies the secrets and the fqdn.
 * Parsing is cheap and this keeps `parseConfig` pure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ExitCode, MedusaError } from '../util/errors.js';
import type { ConfigProblem } from '../util/errors.js';
import { computeLocalFqdn, systemResolver } from './fqdn.js';
import type { HostResolver } from './fqdn.js';
import type { Env, K8sSecret, K8sSecrets } from './layers.js';
import { parseConfig } from './parse.js';
import type { FqdnSource } from './parse.js';
import type { ConfigOverrides, MedusaConfig } from './types.js';

/** Where Medusa looks for its configuration when `--config-file` is not given. */
export const DEFAULT_CONFIG_PATH = '/etc/medusa/medusa.ini';

/** The configuration file is missing or unreadable (exit 2). The message names the file. */
export class ConfigFileError extends MedusaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** Inputs of {@link loadConfig}. */
export interface LoadOptions {
  /** `--config-file`; default {@link DEFAULT_CONFIG_PATH}. */
  readonly configFile?: string;
  readonly overrides?: ConfigOverrides;
  /** Default `process.env`. */
  readonly env?: Env;
  /** DNS used for the fqdn; default the system resolver. */
  readonly resolver?: HostResolver;
}

/** A loaded configuration. */
export interface LoadedConfig {
  /** Deeply frozen. */
  readonly config: Readonly<MedusaConfig>;
  /** To log once at start-up (unknown keys, deprecated variables, DNS fallbacks). */
  readonly warnings: readonly string[];
  /** The file that was read. */
  readonly filePath: string;
  readonly fqdnSource: FqdnSource;
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

async function readConfigText(path: string, explicit: boolean): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const hint = explicit ? '' : ' (no --config-file given, and this is the default location)';
    throw new ConfigFileError(`cannot read configuration file ${path}: ${reason(err)}${hint}`, { cause: err });
  }
}

async function readSecret(folder: string, key: string, problems: ConfigProblem[]): Promise<K8sSecret | undefined> {
  const read = async (name: string): Promise<string | undefined> => {
    const file = join(folder, name);
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (err) {
      problems.push({ section: 'cassandra', key, message: `cannot read ${file}: ${reason(err)}` });
      return undefined;
    }
  };
  const [username, password] = await Promise.all([read('username'), read('password')]);
  if (username === undefined || password === undefined) return undefined;
  return { path: folder, username, password };
}

/**
 * Loads the configuration as Medusa does (reference §2). Throws `ConfigFileError` when the file
 * cannot be read and `ConfigError` (every problem at once) when its content is wrong or a secret
 * folder it names cannot be read. DNS failures never throw: they become warnings.
 */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const filePath = options.configFile ?? DEFAULT_CONFIG_PATH;
  const env = options.env ?? process.env;
  const text = await readConfigText(filePath, options.configFile !== undefined);
  const base = { env, fileName: filePath, ...(options.overrides ? { overrides: options.overrides } : {}) };
  const first = parseConfig(text, base);

  const problems: ConfigProblem[] = [];
  const { cql_k8s_secrets_path: cqlPath, nodetool_k8s_secrets_path: nodetoolPath } = first.config.cassandra;
  const [cql, nodetool] = await Promise.all([
    cqlPath ? readSecret(cqlPath, 'cql_k8s_secrets_path', problems) : undefined,
    nodetoolPath ? readSecret(nodetoolPath, 'nodetool_k8s_secrets_path', problems) : undefined,
  ]);
  if (problems.length > 0) throw new ConfigError(problems, filePath);
  const secrets: K8sSecrets = { ...(cql ? { cql } : {}), ...(nodetool ? { nodetool } : {}) };

  let defaultFqdn: string | undefined;
  const warnings: string[] = [];
  if (first.fqdnSource === 'default') {
    const computed = await computeLocalFqdn(
      { resolveIpAddresses: first.config.cassandra.resolve_ip_addresses, k8sMode: first.config.storage.k8s_mode },
      options.resolver ?? systemResolver,
    );
    defaultFqdn = computed.fqdn;
    warnings.push(...computed.warnings);
  }

  const final = parseConfig(text, { ...base, secrets, ...(defaultFqdn !== undefined ? { defaultFqdn } : {}) });
  return { config: final.config, warnings: [...final.warnings, ...warnings], filePath, fqdnSource: final.fqdnSource };
}
