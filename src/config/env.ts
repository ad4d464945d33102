/**
 * Environment variables that set `[cassandra]` keys (reference §2.9), as data so the parser, the
 * docs and the tests share one list. Every variable overrides the ini file and command line;
 * k8s secret files, read afterwards, override the credential variables.
 */

/** One variable and the `[cassandra]` key it sets. */
export interface EnvBinding {
  readonly variable: string;
  readonly key: string;
  /** The older name Medusa still honours, with a deprecation warning; the new name wins. */
  readonly deprecatedName?: string;
}

/** Every variable the configuration reads for `[cassandra]`, in the order Medusa applies them. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'MEDUSA_CQL_USERNAME', key: 'cql_username', deprecatedName: 'CQL_USERNAME' },
  { variable: 'MEDUSA_CQL_PASSWORD', key: 'cql_password', deprecatedName: 'CQL_PASSWORD' },
  { variable: 'MEDUSA_NODETOOL_USERNAME', key: 'nodetool_username' },
  { variable: 'MEDUSA_NODETOOL_PASSWORD', key: 'nodetool_password' },
  { variable: 'MEDUSA_SSTABLELOADER_TSPW', key: 'sstableloader_tspw' },
  { variable: 'MEDUSA_SSTABLELOADER_KSPW', key: 'sstableloader_kspw' },
  { variable: 'MEDUSA_RESOLVE_IP_ADDRESSES', key: 'resolve_ip_addresses' },
  { variable: 'MEDUSA_CQL_K8S_SECRETS_PATH', key: 'cql_k8s_secrets_path' },
  { variable: 'MEDUSA_NODETOOL_K8S_SECRETS_PATH', key: 'nodetool_k8s_secrets_path' },
];

/** In Kubernetes mode, this node's fqdn (the pod's IP address). */
export const POD_IP_VARIABLE = 'POD_IP';

/** The default `[ssh] username`. */
export const USER_VARIABLE = 'USER';

/** A variable's value to apply: which variable it came from, and a warning when that name is deprecated. */
export interface EnvValue {
  readonly variable: string;
  readonly value: string;
  readonly warning?: string;
}

/**
 * The value `binding` takes from `env`, or `undefined` when neither name is set. A variable set to
 * the empty string counts as set (as in Medusa, which tests `name in os.environ`).
 */
export function envValue(binding: EnvBinding, env: Readonly<Record<string, string | undefined>>): EnvValue | undefined {
  const current = env[binding.variable];
  const old = binding.deprecatedName === undefined ? undefined : env[binding.deprecatedName];
  const warning =
    old !== undefined && binding.deprecatedName !== undefined
      ? `environment variable ${binding.deprecatedName} is deprecated, use ${binding.variable}` +
        (current !== undefined ? ` (both are set: ${binding.variable} wins)` : '')
      : undefined;
  if (current !== undefined) return { variable: binding.variable, value: current, ...(warning ? { warning } : {}) };
  if (old !== undefined && binding.deprecatedName !== undefined) {
    return { variable: binding.deprecatedName, value: old, ...(warning ? { warning } : {}) };
  }
  return undefined;
}
