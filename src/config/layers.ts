/**
 * The layers of reference §2, each a function that writes into the {@link RawValues} store:
 * built-in defaults, the ini file, command-line overrides, Kubernetes adjustments, environment
 * variables and k8s secret files. Pure: they only read their arguments.
 */
import type { ConfigProblem } from '../util/errors.js';
import { ENV_BINDINGS, envValue, POD_IP_VARIABLE, USER_VARIABLE } from './env.js';
import type { IniDocument } from './ini-reader.js';
import type { RawValues } from './raw-values.js';
import { isSectionName, lookupKey, schemaEntries, SECTION_NAMES } from './schema.js';
import type { SectionName } from './schema.js';
import type { ConfigOverrides } from './types.js';
import { parseBoolean } from './values.js';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Username and password read from a k8s secret folder (files `username` and `password`). */
export interface K8sSecret {
  /** The folder, for messages. */
  readonly path: string;
  readonly username: string;
  readonly password: string;
}

/** Secrets read by the loader from `cql_k8s_secrets_path` and `nodetool_k8s_secrets_path`. */
export interface K8sSecrets {
  readonly cql?: K8sSecret;
  readonly nodetool?: K8sSecret;
}

/** Where a layer reports what it found. */
export interface LayerReport {
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
  /** Prefix for warnings located in the file (`<file>: `). */
  readonly filePrefix: string;
}

/** Medusa's defaults; `[ssh] username` comes from `$USER`. The fqdn is computed later. */
export function applyDefaults(raw: RawValues, env: Env): void {
  for (const { section, key, spec } of schemaEntries()) {
    if (spec.default !== undefined) raw[section].set(key, { text: spec.default, origin: { kind: 'default' } });
  }
  raw.ssh.set('username', { text: env[USER_VARIABLE] ?? '', origin: { kind: 'default' } });
}

function setFromFile(
  raw: RawValues,
  report: LayerReport,
  section: SectionName,
  entry: { key: string; value: string; line: number },
): boolean {
  const found = lookupKey(section, entry.key);
  if (!found) return false;
  if (found.spec.derived) {
    report.warnings.push(`${report.filePrefix}[${section}] ${found.key}: is computed, the value in the file is ignored (line ${entry.line})`);
    return true;
  }
  raw[section].set(found.key, { text: entry.value, origin: { kind: 'file', line: entry.line } });
  return true;
}

/**
 * The ini file: syntax errors become problems; unknown sections and keys become warnings (a
 * newer Medusa key must not stop an older binary). `[DEFAULT]` keys apply to every section that
 * knows them, below the section's own keys, as in configparser.
 */
export function applyIniDocument(raw: RawValues, doc: IniDocument, report: LayerReport): void {
  for (const error of doc.errors) {
    report.problems.push({ section: error.section ?? '(no section)', message: `line ${error.line}: ${error.message}` });
  }
  const defaults = doc.sections.find((s) => s.name === 'DEFAULT');
  for (const entry of defaults?.entries ?? []) {
    let known = false;
    for (const section of SECTION_NAMES) known = setFromFile(raw, report, section, entry) || known;
    if (!known) report.warnings.push(`${report.filePrefix}[DEFAULT] ${entry.key}: unknown key, ignored (line ${entry.line})`);
  }
  for (const section of doc.sections) {
    if (section.name === 'DEFAULT') continue;
    if (!isSectionName(section.name)) {
      report.warnings.push(`${report.filePrefix}[${section.name}]: unknown section, ignored (line ${section.line})`);
      continue;
    }
    for (const entry of section.entries) {
      if (!setFromFile(raw, report, section.name, entry)) {
        report.warnings.push(`${report.filePrefix}[${section.name}] ${entry.key}: unknown key, ignored (line ${entry.line})`);
      }
    }
  }
}

/** Command-line options and the one key each changes (design §2.1: no `--key-file` collision). */
export const OVERRIDE_TARGETS: Readonly<Record<keyof ConfigOverrides, { section: SectionName; key: string; flag: string }>> = {
  bucket_name: { section: 'storage', key: 'bucket_name', flag: '--bucket-name' },
  key_file: { section: 'storage', key: 'key_file', flag: '--key-file' },
  prefix: { section: 'storage', key: 'prefix', flag: '--prefix' },
  fqdn: { section: 'storage', key: 'fqdn', flag: '--fqdn' },
  backup_grace_period_in_days: { section: 'storage', key: 'backup_grace_period_in_days', flag: '--backup-grace-period-in-days' },
  ssh_username: { section: 'ssh', key: 'username', flag: '--ssh-username' },
  ssh_key_file: { section: 'ssh', key: 'key_file', flag: '--ssh-key-file' },
};

/** Command-line overrides; an option left `undefined` changes nothing. */
export function applyOverrides(raw: RawValues, overrides: ConfigOverrides): void {
  for (const [name, target] of Object.entries(OVERRIDE_TARGETS)) {
    const value = overrides[name as keyof ConfigOverrides];
    if (value === undefined) continue;
    raw[target.section].set(target.key, { text: value, origin: { kind: 'option', flag: target.flag } });
  }
}

/**
 * Kubernetes mode (`[kubernetes] enabled`): no sudo anywhere, and the pod IP (`POD_IP`) is the
 * fqdn. Unlike Medusa, an explicit `--fqdn` still wins over `POD_IP`: it is how restore-cluster
 * asks a node to act as another one.
 */
export function applyKubernetes(raw: RawValues, env: Env, report: LayerReport): void {
  const enabled = raw.kubernetes.get('enabled');
  if (!enabled || parseBoolean(enabled.text) !== true) return;
  for (const [section, key] of [['cassandra', 'use_sudo'], ['storage', 'use_sudo_for_restore']] as const) {
    const current = raw[section].get(key);
    if (current && current.origin.kind !== 'default' && parseBoolean(current.text) === true) {
      report.warnings.push(`[${section}] ${key}: forced to false because Kubernetes mode is enabled`);
    }
    raw[section].set(key, { text: 'False', origin: { kind: 'kubernetes' } });
  }
  const podIp = env[POD_IP_VARIABLE];
  const fqdn = raw.storage.get('fqdn');
  if (podIp !== undefined && podIp !== '' && fqdn?.origin.kind !== 'option') {
    raw.storage.set('fqdn', { text: podIp, origin: { kind: 'env', variable: POD_IP_VARIABLE } });
  }
}

/** The `MEDUSA_*` variables of reference §2.9 (and the deprecated `CQL_USERNAME`/`CQL_PASSWORD`). */
export function applyEnv(raw: RawValues, env: Env, report: LayerReport): void {
  for (const binding of ENV_BINDINGS) {
    const found = envValue(binding, env);
    if (!found) continue;
    if (found.warning) report.warnings.push(found.warning);
    raw.cassandra.set(binding.key, { text: found.value, origin: { kind: 'env', variable: found.variable } });
  }
}

/** Credentials from k8s secret folders, the last word on CQL and nodetool users. */
export function applySecrets(raw: RawValues, secrets: K8sSecrets): void {
  const pairs = [
    [secrets.cql, 'cql_username', 'cql_password'],
    [secrets.nodetool, 'nodetool_username', 'nodetool_password'],
  ] as const;
  for (const [secret, userKey, passwordKey] of pairs) {
    if (!secret) continue;
    raw.cassandra.set(userKey, { text: secret.username, origin: { kind: 'secret-file', path: `${secret.path}/username` } });
    raw.cassandra.set(passwordKey, { text: secret.password, origin: { kind: 'secret-file', path: `${secret.path}/password` } });
  }
}
