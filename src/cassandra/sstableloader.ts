/**
 * The sstableloader command line of a `restore-node --use-sstableloader` (reference §5.2):
 * `<sstableloader_bin> -d <host> --conf-path <cassandra.yaml> --username <u|foo> --password <p|foo>
 * --no-progress --port <native port> [--storage-port <p> when not 7000]
 * [-ts <ts> -tspw <pw> -ks <ks> -kspw <pw> when all four are set] <table folder>`.
 * The folder must end in `<keyspace>/<table dir>`: sstableloader reads both names from it.
 */
import type { CassandraSection } from '../config/types.js';
import { OperationError } from '../util/errors.js';
import { redactPasswordArgs } from '../util/redact-password.js';
import { runCommand } from './service.js';

/** Medusa passes these when no CQL credentials are configured (the loader insists on some). */
const PLACEHOLDER_CREDENTIAL = 'foo';

type LoaderSettings = Pick<CassandraSection, 'sstableloader_bin' | 'config_file' | 'cql_username' | 'cql_password' | 'sstableloader_ts' | 'sstableloader_tspw' | 'sstableloader_ks' | 'sstableloader_kspw'>;

/** The argv loading `tableFolder` into the node at `host`. */
export function sstableloaderArgs(settings: LoaderSettings, host: string, ports: { nativePort: number; storagePort: number }, tableFolder: string): string[] {
  const args = [
    settings.sstableloader_bin,
    '-d', host,
    '--conf-path', settings.config_file,
    '--username', settings.cql_username ?? PLACEHOLDER_CREDENTIAL,
    '--password', settings.cql_password ?? PLACEHOLDER_CREDENTIAL,
    '--no-progress',
    '--port', String(ports.nativePort),
  ];
  if (ports.storagePort !== 7000) args.push('--storage-port', String(ports.storagePort));
  const { sstableloader_ts: ts, sstableloader_tspw: tspw, sstableloader_ks: ks, sstableloader_kspw: kspw } = settings;
  if (ts !== undefined && tspw !== undefined && ks !== undefined && kspw !== undefined) args.push('-ts', ts, '-tspw', tspw, '-ks', ks, '-kspw', kspw);
  args.push(tableFolder);
  return args;
}

/** Secrets of an argv (`--password`, `-tspw`, `-kspw` values) replaced by `***`, for logs and errors. */
export function maskLoaderArgs(args: readonly string[]): string[] {
  return redactPasswordArgs(args);
}

/** Runs sstableloader for one table; `OperationError` naming the table (and the loader's output) on failure. */
export async function loadTable(settings: LoaderSettings, host: string, ports: { nativePort: number; storagePort: number }, tableFolder: string, table: string): Promise<string> {
  const argv = sstableloaderArgs(settings, host, ports, tableFolder);
  const r = await runCommand(argv);
  if (r.code !== 0) {
    throw new OperationError(`sstableloader failed for ${table} (exit ${r.code}): ${maskLoaderArgs(argv).join(' ')}\n${r.output.slice(-4000)}`);
  }
  return r.output;
}
