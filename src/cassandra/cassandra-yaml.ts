/**
 * Reads `cassandra.yaml` as Medusa does (reference §2.2): every scalar is a string (the YAML
 * failsafe schema, like PyYAML's BaseLoader), missing keys take Cassandra's/Medusa's defaults.
 * Unlike Medusa, every `data_file_directories` entry is kept (JBOD, design §3).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../util/errors.js';

/** What Medusa needs from a node's cassandra.yaml. Ports are numbers; paths as written in the file. */
export interface CassandraYaml {
  /** The file read. */
  readonly path: string;
  /** Every data directory, in file order (default `/var/lib/cassandra/data`). Never empty. */
  readonly dataFileDirectories: readonly string[];
  readonly commitlogDirectory: string;
  readonly savedCachesDirectory: string;
  readonly hintsDirectory: string;
  /** `listen_address` when set and non-empty; callers resolve the host name otherwise. */
  readonly listenAddress?: string;
  readonly rpcAddress?: string;
  /** The CQL port Medusa connects to (TLS-aware, see {@link nativePortOf}). */
  readonly nativePort: number;
  readonly storagePort: number;
  readonly rpcPort: number;
  /** Seeds of a SimpleSeedProvider, spaces removed; empty otherwise. */
  readonly seeds: readonly string[];
  readonly clientEncryptionEnabled: boolean;
  /** The whole document (all scalars strings), for callers needing other keys. */
  readonly document: Readonly<Record<string, unknown>>;
}

const DEFAULTS = {
  data: '/var/lib/cassandra/data',
  commitlog: '/var/lib/cassandra/commitlog',
  savedCaches: '/var/lib/cassandra/saved_caches',
  hints: '/var/lib/cassandra/hints',
};

function problem(path: string, key: string, message: string): ConfigError {
  return new ConfigError([{ section: 'cassandra', key: 'config_file', message: `${path}: ${key}: ${message}` }]);
}

function str(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function port(path: string, doc: Record<string, unknown>, key: string, fallback: number): number {
  const v = str(doc, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw problem(path, key, `not a port number: ${JSON.stringify(v)}`);
  return n;
}

/**
 * Medusa's native port rule: with client encryption enabled, `native_transport_port_ssl`, else
 * `native_transport_port`, else 9142; without, `native_transport_port` or 9042.
 */
function nativePortOf(path: string, doc: Record<string, unknown>, tls: boolean): number {
  if (tls) {
    if (str(doc, 'native_transport_port_ssl') !== undefined) return port(path, doc, 'native_transport_port_ssl', 9142);
    return port(path, doc, 'native_transport_port', 9142);
  }
  return port(path, doc, 'native_transport_port', 9042);
}

function seedsOf(doc: Record<string, unknown>): string[] {
  const provider = doc['seed_provider'];
  if (!Array.isArray(provider)) return [];
  const first = provider[0] as Record<string, unknown> | undefined;
  const className = first?.['class_name'];
  if (typeof className !== 'string' || !className.endsWith('SimpleSeedProvider')) return [];
  const params = first?.['parameters'];
  const seeds = Array.isArray(params) ? (params[0] as Record<string, unknown> | undefined)?.['seeds'] : undefined;
  return typeof seeds === 'string' ? seeds.replace(/ /g, '').split(',').filter((s) => s !== '') : [];
}

/** Parses the text of a cassandra.yaml; `path` names the file in errors (`ConfigError`, exit 2). */
export function parseCassandraYaml(text: string, path: string): CassandraYaml {
  let parsed: unknown;
  try {
    parsed = parse(text, { schema: 'failsafe' });
  } catch (err) {
    throw problem(path, 'syntax', err instanceof Error ? err.message.split('\n')[0]! : String(err));
  }
  const doc = (parsed ?? {}) as Record<string, unknown>;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw problem(path, 'document', 'not a YAML mapping');
  const rawDirs = doc['data_file_directories'];
  let dataFileDirectories: string[];
  if (rawDirs === undefined || rawDirs === null || rawDirs === '') dataFileDirectories = [DEFAULTS.data];
  else if (Array.isArray(rawDirs) && rawDirs.length > 0 && rawDirs.every((d) => typeof d === 'string' && d !== '')) dataFileDirectories = rawDirs as string[];
  else throw problem(path, 'data_file_directories', 'must be a non-empty list of folders');
  const enc = doc['client_encryption_options'];
  const clientEncryptionEnabled = typeof enc === 'object' && enc !== null && (enc as Record<string, unknown>)['enabled'] === 'true';
  const listenAddress = str(doc, 'listen_address');
  const rpcAddress = str(doc, 'rpc_address');
  return {
    path,
    dataFileDirectories,
    commitlogDirectory: str(doc, 'commitlog_directory') ?? DEFAULTS.commitlog,
    savedCachesDirectory: str(doc, 'saved_caches_directory') ?? DEFAULTS.savedCaches,
    hintsDirectory: str(doc, 'hints_directory') ?? DEFAULTS.hints,
    ...(listenAddress !== undefined ? { listenAddress } : {}),
    ...(rpcAddress !== undefined ? { rpcAddress } : {}),
    nativePort: nativePortOf(path, doc, clientEncryptionEnabled),
    storagePort: port(path, doc, 'storage_port', 7000),
    rpcPort: port(path, doc, 'rpc_port', 9160),
    seeds: seedsOf(doc),
    clientEncryptionEnabled,
    document: doc,
  };
}

/** Reads and parses `[cassandra] config_file`. A missing or unreadable file is a `ConfigError`. */
export async function readCassandraYaml(path: string): Promise<CassandraYaml> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw problem(path, 'file', code === 'ENOENT' ? 'is not a file' : `cannot be read (${code ?? String(err)})`);
  }
  return parseCassandraYaml(text, path);
}
