/**
 * The configuration layer: `medusa.ini` read exactly as Python Medusa 0.31 reads it (reference §2;
 * 0.31 changed no key), with design §2's fixes. Typical use (the CLI):
 *
 * ```ts
 * const { config, warnings } = await loadConfig({ configFile, overrides, env: process.env });
 * ```
 *
 * `config` is deeply frozen; pass it explicitly, there is no global.
 */
export type {
  ChecksSection,
  CassandraSection,
  ConfigOverrides,
  GrpcSection,
  KubernetesSection,
  LoggingSection,
  MedusaConfig,
  MonitoringSection,
  SshSection,
  StorageSection,
} from './types.js';
export { ConfigFileError, DEFAULT_CONFIG_PATH, loadConfig } from './load.js';
export type { LoadedConfig, LoadOptions } from './load.js';
export { parseConfig } from './parse.js';
export type { FqdnSource, ParseOptions, ParseResult } from './parse.js';
export type { Env, K8sSecret, K8sSecrets } from './layers.js';
export { OVERRIDE_TARGETS } from './layers.js';
export { computeLocalFqdn, systemResolver } from './fqdn.js';
export type { FqdnResult, FqdnSettings, HostResolver } from './fqdn.js';
export { REDACTED, redactConfig, scrubSecrets, secretValues } from './redact.js';
export { InvalidSizeError, parseHumanSize } from './sizes.js';
export { parseBoolean } from './values.js';
export { CONFIG_SCHEMA, lookupKey, schemaEntries, SECTION_NAMES } from './schema.js';
export type { ConfigSchema, KeySpec, KeyType, SchemaEntry, SectionName } from './schema.js';
export { ENV_BINDINGS, POD_IP_VARIABLE } from './env.js';
export { isS3Family, LEGACY_S3_REGIONS, PROVIDER_NAMES, providerKind, resolveRegion } from './providers.js';
export type { ProviderKind } from './providers.js';
