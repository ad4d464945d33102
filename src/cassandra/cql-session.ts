/**
 * A CQL session to the local node (reference §4.2 step 2), and what a backup reads through it:
 * the schema as CQL text, the tokenmap of the local datacenter, and the server type and version.
 *
 * Connection as Medusa's: contact = `listen_address` from cassandra.yaml (or this host's address),
 * the yaml's native port, PlainText auth when both `cql_username` and `cql_password` are set, TLS
 * (TLS 1.2+, chain verified against `certfile`, client certificate from `usercert`/`userkey`, no
 * host name check, as Python's `SSLContext` without `check_hostname`) when `certfile` is set.
 * Only the contact node is queried (allow-list policy), so `system.local` is that node.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { auth, Client, policies, type ClientOptions, type types } from 'cassandra-driver';
import type { MedusaConfig } from '../config/types.js';
import { systemResolver, type HostResolver } from '../config/fqdn.js';
import type { ServerVersion } from '../domain/server-version.js';
import type { TokenMap, TokenMapHost } from '../domain/tokenmap.js';
import { ConfigError, OperationError } from '../util/errors.js';
import type { CassandraYaml } from './cassandra-yaml.js';
import { EXCLUDED_KEYSPACES } from './snapshot-files.js';

/** Everything needed to open a session. */
export interface CqlSettings {
  /** Host name or IP of the node. */
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { readonly certfile: string; readonly usercert?: string; readonly userkey?: string };
  /** How tokenmap host keys are named (reference §2.9). */
  readonly resolveIpAddresses: boolean;
  readonly k8sMode: boolean;
}

/** Session settings from `[cassandra]` and the node's cassandra.yaml. */
export async function cqlSettingsFor(config: Pick<MedusaConfig, 'cassandra' | 'kubernetes'>, yaml: CassandraYaml, resolver: HostResolver = systemResolver): Promise<CqlSettings> {
  const c = config.cassandra;
  const host = yaml.listenAddress ?? (await resolver.lookup(resolver.hostname()).catch(() => resolver.hostname()));
  return {
    host,
    port: yaml.nativePort,
    ...(c.cql_username && c.cql_password ? { username: c.cql_username, password: c.cql_password } : {}),
    ...(c.certfile
      ? { tls: { certfile: c.certfile, ...(c.usercert && c.userkey ? { usercert: c.usercert, userkey: c.userkey } : {}) } }
      : {}),
    resolveIpAddresses: c.resolve_ip_addresses,
    k8sMode: config.kubernetes.enabled,
  };
}

function readTlsFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([{ section: 'cassandra', key, message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
}

/** The address part of a driver host address (`ip:port`, `[v6]:port` or `v6:port`). */
export function hostIp(address: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const i = address.lastIndexOf(':');
  return i > 0 && !isIP(address) ? address.slice(0, i) : address;
}

/**
 * The tokenmap key of a node address: the IP itself when `resolve_ip_addresses` is false, else its
 * reverse-resolved name (in k8s mode the first PTR label that is not an IP in disguise), falling
 * back to the IP when resolution fails (Python's `getfqdn` does the same).
 */
export async function hostKeyOf(ip: string, settings: Pick<CqlSettings, 'resolveIpAddresses' | 'k8sMode'>, resolver: HostResolver): Promise<string> {
  if (!settings.resolveIpAddresses) return ip;
  try {
    if (settings.k8sMode) {
      for (const name of await resolver.ptr(ip)) {
        const label = name.split('.')[0] ?? '';
        if (label !== '' && !isIP(label.replaceAll('-', '.')) && !isIP(label.replaceAll('-', ':'))) return label;
      }
      return ip;
    }
    const name = await resolver.reverse(ip);
    return name === '' ? ip : name;
  } catch {
    return ip;
  }
}

/** An open session; `close()` it. */
export class CqlSession {
  private constructor(
    private readonly client: Client,
    private readonly settings: CqlSettings,
    private readonly resolver: HostResolver,
  ) {}

  /** Connects (one attempt; see `withCqlRetries`). Connection failures are `OperationError`s. */
  static async connect(settings: CqlSettings, resolver: HostResolver = systemResolver): Promise<CqlSession> {
    const ip = isIP(settings.host) ? settings.host : await resolver.lookup(settings.host).catch(() => settings.host);
    const options: ClientOptions = {
      contactPoints: [ip],
      protocolOptions: { port: settings.port },
      policies: {
        loadBalancing: new policies.loadBalancing.AllowListPolicy(new policies.loadBalancing.RoundRobinPolicy(), [`${ip}:${settings.port}`]),
        reconnection: new policies.reconnection.ConstantReconnectionPolicy(2000),
      },
      socketOptions: { connectTimeout: 15_000, readTimeout: 120_000 },
      ...(settings.username !== undefined && settings.password !== undefined
        ? { authProvider: new auth.PlainTextAuthProvider(settings.username, settings.password) }
        : {}),
    };
    if (settings.tls) {
      options.sslOptions = {
        ca: [readTlsFile('certfile', settings.tls.certfile)],
        ...(settings.tls.usercert && settings.tls.userkey
          ? { cert: readTlsFile('usercert', settings.tls.usercert), key: readTlsFile('userkey', settings.tls.userkey) }
          : {}),
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        checkServerIdentity: () => undefined,
      };
    }
    const client = new Client(options);
    try {
      await client.connect();
    } catch (err) {
      await client.shutdown().catch(() => undefined);
      throw new OperationError(`cannot connect to Cassandra at ${ip}:${settings.port} over CQL: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return new CqlSession(client, settings, resolver);
  }

  /**
   * The schema as CQL (every keyspace but system_traces), from the server's own `DESCRIBE FULL
   * SCHEMA` (Cassandra 4.0+): its create statements joined by blank lines, in server order, as
   * the Python driver's `export_as_string` per keyspace joined by blank lines.
   */
  async exportSchema(): Promise<string> {
    let rows;
    try {
      rows = (await this.client.execute('DESCRIBE FULL SCHEMA')).rows;
    } catch (err) {
      throw new OperationError(
        `cannot export the schema: the server refused DESCRIBE FULL SCHEMA (Cassandra before 4.0 is not supported yet): ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const statements: string[] = [];
    for (const row of rows) {
      const ks = row['keyspace_name'] as string;
      const stmt = row['create_statement'] as string | null;
      if (!EXCLUDED_KEYSPACES.has(ks) && stmt) statements.push(stmt);
    }
    return statements.join('\n\n');
  }

  /**
   * The ring of the contact node's datacenter (reference §3.3), hosts ordered by address as
   * Medusa orders them, tokens as the driver lists them (string order, as Medusa writes them).
   */
  async tokenMap(): Promise<TokenMap> {
    const local = (await this.client.execute('SELECT data_center FROM system.local')).first();
    const dc = local?.['data_center'] as string | undefined;
    if (dc === undefined) throw new OperationError('cannot read the data center of the node from system.local');
    const hosts = this.client.hosts.values().filter((h) => h.datacenter === dc && h.tokens && h.tokens.length > 0);
    hosts.sort((a, b) => (hostIp(a.address) < hostIp(b.address) ? -1 : hostIp(a.address) > hostIp(b.address) ? 1 : 0));
    const map = new Map<string, TokenMapHost>();
    for (const h of hosts) {
      const key = await hostKeyOf(hostIp(h.address), this.settings, this.resolver);
      map.set(key, { tokens: h.tokens.map((t) => BigInt(t)), is_up: h.isUp(), rack: h.rack, dc: h.datacenter });
    }
    return map;
  }

  /**
   * Every host the driver knows, in every datacenter, named as tokenmap keys are: the live
   * topology `purge-decommissioned` compares the bucket's nodes with (a node of another datacenter
   * is not decommissioned). Sorted.
   */
  async clusterHosts(): Promise<string[]> {
    const keys = new Set<string>();
    for (const h of this.client.hosts.values()) keys.add(await hostKeyOf(hostIp(h.address), this.settings, this.resolver));
    return [...keys].sort();
  }

  /** `server_version.json` content: `dse` when system.local has a `dse_version` column. */
  async serverVersion(): Promise<ServerVersion> {
    const result = await this.client.execute('SELECT * FROM system.local');
    const row = result.first();
    const dse = result.columns.some((c) => c.name === 'dse_version');
    const release: unknown = row?.['release_version'];
    return { server_type: dse ? 'dse' : 'cassandra', release_version: typeof release === 'string' ? release : 'None' };
  }

  /** Runs a statement (restore checks, health probes). */
  execute(query: string, params?: unknown[]): Promise<types.ResultSet> {
    return this.client.execute(query, params, { prepare: params !== undefined });
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
