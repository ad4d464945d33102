/**
 * The parsed, validated configuration: one interface per `medusa.ini` section. Property names are
 * the ini keys exactly (snake_case, `maxBytes` included) so a key reads the same in the file, in
 * error messages and in code, and so command-line overrides apply by key name as in Medusa.
 *
 * Values are already typed: sizes in bytes, bandwidth in bytes per second, booleans as booleans.
 * An optional key left unset is `undefined`. The object handed to operations is frozen.
 */

export interface StorageSection {
  storage_provider: string;
  bucket_name: string;
  key_file?: string;
  base_path?: string;
  prefix?: string;
  /** This node's identity (folder name in the bucket); computed per reference §2.9 when unset. */
  fqdn: string;
  host_file_separator: string;
  /** Days; 0 = no age-based purge. */
  max_backup_age: number;
  /** Backups kept per node; 0 = no count-based purge. */
  max_backup_count: number;
  api_profile: string;
  region: string;
  /** Bytes per second for the whole process (design §2.7). */
  transfer_max_bandwidth: number;
  concurrent_transfers: number;
  /** Bytes. */
  multi_part_upload_threshold: number;
  /** Bytes. */
  multipart_chunksize: number;
  multipart_max_concurrency: number;
  secure: boolean;
  ssl_verify: boolean;
  host?: string;
  port?: number;
  s3_addressing_style: 'auto' | 'path' | 'virtual';
  /** Upper-cased. */
  storage_class?: string;
  kms_id?: string;
  /** Secret. */
  sse_c_key?: string;
  /** Seconds. */
  read_timeout?: number;
  backup_grace_period_in_days: number;
  use_sudo_for_restore: boolean;
  aws_cli_path: string;
  /** Copy of `[kubernetes] enabled`. */
  k8s_mode: boolean;
}

export interface CassandraSection {
  config_file: string;
  start_cmd: string;
  stop_cmd: string;
  check_running: string;
  is_ccm: boolean;
  cql_username?: string;
  /** Secret. */
  cql_password?: string;
  cql_k8s_secrets_path?: string;
  nodetool_username?: string;
  /** Secret. */
  nodetool_password?: string;
  nodetool_password_file_path?: string;
  nodetool_host?: string;
  nodetool_port?: number;
  nodetool_k8s_secrets_path?: string;
  nodetool_executable: string;
  /** Split on white space; inserted right after the executable. */
  nodetool_flags: string[];
  /** True only for the exact ini string `true`, as in Medusa. */
  nodetool_ssl: boolean;
  certfile?: string;
  usercert?: string;
  userkey?: string;
  sstableloader_bin: string;
  sstableloader_ts?: string;
  /** Secret. */
  sstableloader_tspw?: string;
  sstableloader_ks?: string;
  /** Secret. */
  sstableloader_kspw?: string;
  resolve_ip_addresses: boolean;
  use_sudo: boolean;
}

export interface SshSection {
  username: string;
  key_file: string;
  port: number;
  cert_file: string;
  use_pty: boolean;
  keepalive_seconds: number;
  login_shell: boolean;
}

export interface ChecksSection {
  health_check: 'cql' | 'thrift' | 'all';
  query: string;
  expected_rows: number;
  expected_result: string;
  enable_md5_checks: boolean;
  md5_check_concurrency: number;
}

export interface MonitoringSection {
  /** `None` disables metrics. */
  monitoring_provider: 'None' | 'local' | 'dog-statsd' | 'prometheus';
  send_backup_name_tag: boolean;
  /** `prometheus` provider: the node_exporter textfile-collector file the metrics are kept in. */
  prometheus_textfile: string;
  /** Port of the HTTP `/metrics` endpoint the agent serves; unset = no endpoint. */
  prometheus_http_port?: number;
  /** Address that endpoint binds. */
  prometheus_http_host: string;
}

export interface LoggingSection {
  enabled: boolean;
  file: string;
  level: 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';
  format: string;
  maxBytes: number;
  backupCount: number;
}

export interface GrpcSection {
  enabled: boolean;
  port: number;
  max_send_message_length: number;
  max_receive_message_length: number;
  ca_cert?: string;
  tls_cert?: string;
  tls_key?: string;
}

export interface KubernetesSection {
  enabled: boolean;
  cassandra_url?: string;
  use_mgmt_api: boolean;
  ca_cert?: string;
  tls_cert?: string;
  tls_key?: string;
}

/** The whole configuration. */
export interface MedusaConfig {
  storage: StorageSection;
  cassandra: CassandraSection;
  ssh: SshSection;
  checks: ChecksSection;
  monitoring: MonitoringSection;
  logging: LoggingSection;
  grpc: GrpcSection;
  kubernetes: KubernetesSection;
}

/**
 * Global command-line options that override configuration keys (reference §1.1, design §2.1).
 * Each applies to exactly one key: `--key-file` changes `[storage] key_file` only,
 * `--ssh-key-file` changes `[ssh] key_file`, `--ssh-username` changes `[ssh] username`.
 */
export interface ConfigOverrides {
  bucket_name?: string;
  key_file?: string;
  prefix?: string;
  fqdn?: string;
  backup_grace_period_in_days?: string;
  ssh_username?: string;
  ssh_key_file?: string;
}
