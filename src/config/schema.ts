/**
 * The `medusa.ini` schema: every section and key, its type, Medusa 0.31's default, whether it is a
 * secret or required, and a one-line description. This table is the single source of truth: the
 * parser converts and validates with it, redaction finds secrets with it, and the test of
 * `medusa-example.ini` checks the example file against it.
 *
 * The mapped types below make the compiler check that every property of `MedusaConfig` has exactly
 * one entry here (a key added to `types.ts` without a schema entry does not compile).
 */
import type { MedusaConfig } from './types.js';

/** A section of `medusa.ini` (and of `MedusaConfig`). */
export type SectionName = keyof MedusaConfig;

/**
 * How the ini text of a key becomes a typed value.
 * - `string`: as written (trimmed by the reader).
 * - `int`: a whole decimal number, optionally signed, checked against `min`/`max`.
 * - `bool`: configparser booleans, any case: `1 yes true on` / `0 no false off`; anything else is an error.
 * - `size`: bytes, see `sizes.ts` (`20MB`, `100MiB`, `1048576`).
 * - `bandwidth`: bytes per second, same grammar, `/s` optional (`50MB/s`).
 * - `enum`: one of `values`, matched without regard to case, returned in the spelling of `values`.
 * - `list`: split on white space (`nodetool_flags`).
 * - `literal-true`: true only for the exact text `true`, false for anything else (Medusa's
 *   `nodetool_ssl` test; other spellings of "true" get a warning).
 */
export type KeyType = 'string' | 'int' | 'bool' | 'size' | 'bandwidth' | 'enum' | 'list' | 'literal-true';

/** Everything known about one key. */
export interface KeySpec {
  readonly type: KeyType;
  /** Medusa's default, as ini text; absent = unset (the property is `undefined` unless `required`). */
  readonly default?: string;
  /** A default that depends on the machine: `user` = env `$USER`, `fqdn` = computed per reference §2.9. */
  readonly dynamicDefault?: 'user' | 'fqdn';
  /** Never printed: redacted in debug output and scrubbed from log text. */
  readonly secret?: boolean;
  /** Must be set (after file, command line and environment are applied). */
  readonly required?: boolean;
  /** Computed by the parser; a value in the file is ignored with a warning. */
  readonly derived?: boolean;
  /** For `enum`: the allowed values in their canonical spelling. */
  readonly values?: readonly string[];
  /** For `int`: inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  /** For optional keys: ini texts that mean "unset" besides the empty string (Medusa writes `None`). */
  readonly unsetWords?: readonly string[];
  /** One line for the operator (used as the comment in `medusa-example.ini`). */
  readonly doc: string;
}

type SectionSpec<T> = { readonly [K in keyof T]-?: KeySpec };

/** The schema itself, section by section, in the order of reference §2. */
export type ConfigSchema = { readonly [S in SectionName]: SectionSpec<MedusaConfig[S]> };

const PORT = { min: 1, max: 65535 } as const;

/** Every section and key of `medusa.ini` (reference §2.1–2.8). */
export const CONFIG_SCHEMA: ConfigSchema = {
  storage: {
    storage_provider: { type: 'string', required: true, doc: 'where backups go: local, s3 (or a legacy s3_<region> name), s3_compatible, s3_rgw, ibm_storage, google_storage or azure_blobs' },
    bucket_name: { type: 'string', required: true, doc: 'bucket or container name (for local: a folder under base_path); no "/"' },
    key_file: { type: 'string', doc: 'credentials file: AWS ini (S3), service-account JSON (GCS), {"storage_account","key"} JSON (Azure); empty = the default credentials (Azure: DefaultAzureCredential for the account in AZURE_STORAGE_ACCOUNT)' },
    base_path: { type: 'string', doc: 'local provider only: root folder; backups go to <base_path>/<bucket_name>/' },
    prefix: { type: 'string', doc: 'multi-tenancy prefix put in front of every object key; no "/"' },
    fqdn: { type: 'string', dynamicDefault: 'fqdn', doc: "this node's name in the bucket; computed from the host name and DNS when unset" },
    host_file_separator: { type: 'string', default: ',', doc: 'separator between fields of a --host-list file' },
    max_backup_age: { type: 'int', default: '0', min: 0, doc: 'purge backups older than this many days; 0 = no age limit' },
    max_backup_count: { type: 'int', default: '0', min: 0, doc: 'keep at most this many backups per node; 0 = no count limit' },
    api_profile: { type: 'string', default: '', doc: 'AWS profile name in the credentials file' },
    region: { type: 'string', default: 'default', doc: 'S3 region; "default" = us-east-1 (or the region of a legacy s3_<region> provider name)' },
    transfer_max_bandwidth: { type: 'bandwidth', default: '50MB/s', doc: 'bandwidth cap for the whole process, uploads and downloads together; 0 = no cap' },
    concurrent_transfers: { type: 'int', default: '1', min: 1, doc: 'files transferred at the same time' },
    multi_part_upload_threshold: { type: 'size', default: '20MB', doc: 'files at least this big are uploaded in parts' },
    multipart_chunksize: { type: 'size', default: '50MB', doc: 'size of one part of a multipart upload (and of one download chunk)' },
    multipart_max_concurrency: { type: 'int', default: '4', min: 1, doc: 'parts of one file transferred at the same time' },
    secure: { type: 'bool', default: 'True', doc: 'S3-compatible stores: use https (true) or http (false)' },
    ssl_verify: { type: 'bool', default: 'False', doc: 'S3-compatible stores: verify the TLS certificate' },
    host: { type: 'string', doc: 's3_compatible, s3_rgw, ibm_storage: endpoint host; azure_blobs: domain suffix' },
    port: { type: 'int', ...PORT, doc: 's3_compatible, s3_rgw, ibm_storage, azure_blobs: endpoint port' },
    s3_addressing_style: { type: 'enum', default: 'auto', values: ['auto', 'path', 'virtual'], doc: 'S3 bucket addressing: auto, path or virtual' },
    storage_class: { type: 'string', doc: 'S3 storage class or Azure tier (upper-cased); ignored by GCS' },
    kms_id: { type: 'string', doc: 'S3 server-side encryption with this KMS key (ARN or id)' },
    sse_c_key: { type: 'string', secret: true, doc: 'S3 server-side encryption with this customer key (base64 of 32 bytes)' },
    read_timeout: { type: 'int', min: 1, doc: 'seconds to wait for a response from the store' },
    backup_grace_period_in_days: { type: 'int', default: '10', min: 0, doc: 'unreferenced files younger than this many days are never deleted by purge' },
    use_sudo_for_restore: { type: 'bool', default: 'True', doc: 'use sudo for file operations in restore-node (forced false in Kubernetes)' },
    aws_cli_path: { type: 'string', default: 'aws', doc: 'legacy, unused' },
    k8s_mode: { type: 'bool', default: 'False', derived: true, doc: 'copy of [kubernetes] enabled' },
  },
  cassandra: {
    config_file: { type: 'string', default: '/etc/cassandra/cassandra.yaml', doc: 'cassandra.yaml of this node' },
    start_cmd: { type: 'string', default: 'sudo service cassandra start', doc: 'command that starts Cassandra' },
    stop_cmd: { type: 'string', default: 'sudo service cassandra stop', doc: 'command that stops Cassandra' },
    check_running: { type: 'string', default: 'nodetool version', doc: 'legacy, unused' },
    is_ccm: { type: 'bool', default: '0', doc: 'the node is a ccm test cluster node' },
    cql_username: { type: 'string', doc: 'CQL user (env MEDUSA_CQL_USERNAME)' },
    cql_password: { type: 'string', secret: true, doc: 'CQL password (env MEDUSA_CQL_PASSWORD)' },
    cql_k8s_secrets_path: { type: 'string', doc: 'folder with files "username" and "password" for CQL (env MEDUSA_CQL_K8S_SECRETS_PATH)' },
    nodetool_username: { type: 'string', doc: 'JMX user for nodetool -u (env MEDUSA_NODETOOL_USERNAME)' },
    nodetool_password: { type: 'string', secret: true, doc: 'JMX password for nodetool -pw (env MEDUSA_NODETOOL_PASSWORD)' },
    nodetool_password_file_path: { type: 'string', doc: 'JMX password file for nodetool -pwf' },
    nodetool_host: { type: 'string', doc: 'JMX host for nodetool -h' },
    nodetool_port: { type: 'int', ...PORT, doc: 'JMX port for nodetool -p' },
    nodetool_k8s_secrets_path: { type: 'string', doc: 'folder with files "username" and "password" for nodetool (env MEDUSA_NODETOOL_K8S_SECRETS_PATH)' },
    nodetool_executable: { type: 'string', default: 'nodetool', doc: 'nodetool binary' },
    nodetool_flags: { type: 'list', default: '-Dcom.sun.jndi.rmiURLParsing=legacy', doc: 'extra nodetool arguments, space-separated, put right after the binary' },
    nodetool_ssl: { type: 'literal-true', doc: 'exactly "true" adds --ssl to nodetool' },
    certfile: { type: 'string', doc: 'CA certificate for CQL over TLS' },
    usercert: { type: 'string', doc: 'client certificate for CQL over TLS' },
    userkey: { type: 'string', doc: 'client key for CQL over TLS' },
    sstableloader_bin: { type: 'string', default: 'sstableloader', doc: 'sstableloader binary' },
    sstableloader_ts: { type: 'string', doc: 'sstableloader truststore' },
    sstableloader_tspw: { type: 'string', secret: true, doc: 'sstableloader truststore password (env MEDUSA_SSTABLELOADER_TSPW)' },
    sstableloader_ks: { type: 'string', doc: 'sstableloader keystore' },
    sstableloader_kspw: { type: 'string', secret: true, doc: 'sstableloader keystore password (env MEDUSA_SSTABLELOADER_KSPW)' },
    resolve_ip_addresses: { type: 'bool', default: 'True', doc: 'turn IP addresses into host names for fqdn and tokenmap (env MEDUSA_RESOLVE_IP_ADDRESSES)' },
    use_sudo: { type: 'bool', default: 'True', doc: 'run remote commands with sudo (forced false in Kubernetes)' },
  },
  ssh: {
    username: { type: 'string', dynamicDefault: 'user', doc: 'SSH user for cluster commands (default: $USER)' },
    key_file: { type: 'string', default: '', doc: 'SSH private key; empty = SSH agent / default keys' },
    port: { type: 'int', default: '22', ...PORT, doc: 'SSH port' },
    cert_file: { type: 'string', default: '', doc: 'SSH certificate for the key' },
    use_pty: { type: 'bool', default: 'False', doc: 'ask for a pseudo-terminal on remote commands' },
    keepalive_seconds: { type: 'int', default: '60', min: 0, doc: 'seconds between SSH keepalives; 0 = none' },
    login_shell: { type: 'bool', default: 'False', doc: 'run remote commands through a login shell ($SHELL -cl)' },
  },
  checks: {
    health_check: { type: 'enum', default: 'cql', values: ['cql', 'thrift', 'all'], doc: 'how to tell Cassandra is up after a restore: cql, thrift or all' },
    query: { type: 'string', default: '', doc: 'CQL query run to verify a restore; empty = none' },
    expected_rows: { type: 'int', default: '0', min: 0, doc: 'rows the query must return; 0 = do not check' },
    expected_result: { type: 'string', default: '', doc: 'comma-joined first row the query must return; empty = do not check' },
    enable_md5_checks: { type: 'bool', default: 'false', doc: 'compare MD5 hashes, not only sizes, when deciding what to upload and in verify' },
    md5_check_concurrency: { type: 'int', default: '1', min: 1, doc: 'files hashed at the same time' },
  },
  monitoring: {
    monitoring_provider: { type: 'enum', default: 'None', values: ['None', 'local', 'dog-statsd', 'prometheus'], doc: 'where metrics go: None, local, dog-statsd or prometheus' },
    send_backup_name_tag: { type: 'bool', default: 'False', doc: 'tag metrics with the backup name' },
    prometheus_textfile: { type: 'string', default: '/var/lib/prometheus/node-exporter/medusa.prom', doc: "prometheus provider: metrics file for node_exporter's textfile collector (its folder must exist; written atomically)" },
    prometheus_http_port: { type: 'int', ...PORT, doc: 'grpc-server only: serve the prometheus_textfile metrics over HTTP at /metrics on this port; unset = no endpoint' },
    prometheus_http_host: { type: 'string', default: '0.0.0.0', doc: 'address the /metrics endpoint binds (127.0.0.1 keeps it local)' },
  },
  logging: {
    enabled: { type: 'bool', default: 'false', doc: 'also log to a rotating file' },
    file: { type: 'string', default: 'medusa.log', doc: 'log file' },
    level: { type: 'enum', default: 'INFO', values: ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'], doc: 'file log level: CRITICAL, ERROR, WARNING, INFO or DEBUG' },
    format: { type: 'string', default: '[%(asctime)s] %(levelname)s: %(message)s', doc: 'log line format (Python logging %-style fields)' },
    maxBytes: { type: 'int', default: '20000000', min: 0, doc: 'rotate the log file at this many bytes' },
    backupCount: { type: 'int', default: '50', min: 0, doc: 'rotated log files kept' },
  },
  grpc: {
    enabled: { type: 'bool', default: 'False', doc: 'run as the gRPC service (errors propagate instead of exiting)' },
    port: { type: 'int', default: '50051', ...PORT, doc: 'gRPC listen port' },
    max_send_message_length: { type: 'int', default: '536870912', min: 1, doc: 'largest gRPC message sent, bytes' },
    max_receive_message_length: { type: 'int', default: '134217728', min: 1, doc: 'largest gRPC message received, bytes' },
    ca_cert: { type: 'string', doc: 'CA certificate for gRPC mutual TLS' },
    tls_cert: { type: 'string', doc: 'server certificate; set = gRPC over mutual TLS' },
    tls_key: { type: 'string', doc: 'server private key for gRPC TLS' },
  },
  kubernetes: {
    enabled: { type: 'bool', default: 'False', doc: 'Kubernetes mode: no sudo, fqdn from POD_IP, snapshots over HTTP' },
    cassandra_url: { type: 'string', unsetWords: ['None'], doc: 'management API snapshot endpoint or Jolokia URL' },
    use_mgmt_api: { type: 'bool', default: 'False', doc: 'snapshots through the management API (false = Jolokia)' },
    ca_cert: { type: 'string', doc: 'CA certificate for the management API' },
    tls_cert: { type: 'string', doc: 'client certificate for the management API' },
    tls_key: { type: 'string', doc: 'client key for the management API' },
  },
};

/** One row of the schema, flattened. */
export interface SchemaEntry {
  readonly section: SectionName;
  readonly key: string;
  readonly spec: KeySpec;
}

/** The sections in schema order. */
export const SECTION_NAMES: readonly SectionName[] = Object.keys(CONFIG_SCHEMA) as SectionName[];

/** Every key of every section, in schema order. */
export function schemaEntries(): SchemaEntry[] {
  return SECTION_NAMES.flatMap((section) =>
    Object.entries(CONFIG_SCHEMA[section] as Record<string, KeySpec>).map(([key, spec]) => ({ section, key, spec })),
  );
}

/**
 * Finds a key of a section the way configparser does (keys are case-insensitive: `maxbytes` is
 * `maxBytes`). Returns the canonical key name and its spec, or `undefined` for an unknown key.
 */
export function lookupKey(section: SectionName, key: string): { key: string; spec: KeySpec } | undefined {
  const wanted = key.toLowerCase();
  for (const [name, spec] of Object.entries(CONFIG_SCHEMA[section] as Record<string, KeySpec>)) {
    if (name.toLowerCase() === wanted) return { key: name, spec };
  }
  return undefined;
}

/** True when `name` is a section of the schema (section names are case-sensitive, as in configparser). */
export function isSectionName(name: string): name is SectionName {
  return Object.hasOwn(CONFIG_SCHEMA, name);
}
