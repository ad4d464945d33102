/**
 * The server's transport security from `[grpc]` (spec medusa-agent.md §2): TLS when `tls_cert` is
 * set, and then client certificates are required and checked against `ca_cert` (mutual TLS, as
 * Medusa and the operator's probe use it). Plain text otherwise.
 *
 * Relative paths are taken from the configuration file's folder (Medusa resolves them against its
 * own installed source folder, which no deployment can use).
 */
import { ServerCredentials } from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { GrpcSection } from '../config/types.js';
import { ConfigError } from '../util/errors.js';

/** The three files, read. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

async function readKeyFile(grpc: GrpcSection, key: 'tls_cert' | 'tls_key' | 'ca_cert', configFile: string): Promise<Buffer> {
  const value = grpc[key];
  if (!value) throw new ConfigError([{ section: 'grpc', key, message: 'must be set when tls_cert is set (the agent requires client certificates)' }], configFile);
  const path = resolve(dirname(configFile), value);
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new ConfigError([{ section: 'grpc', key, message: `cannot read ${path}: ${why}` }], configFile);
  }
}

/** The TLS files `[grpc]` names, or undefined when `tls_cert` is unset. Throws `ConfigError` naming the key at fault. */
export async function readTlsFiles(grpc: GrpcSection, configFile: string): Promise<TlsFiles | undefined> {
  if (!grpc.tls_cert) return undefined;
  const [cert, key, ca] = await Promise.all([
    readKeyFile(grpc, 'tls_cert', configFile),
    readKeyFile(grpc, 'tls_key', configFile),
    readKeyFile(grpc, 'ca_cert', configFile),
  ]);
  return { cert, key, ca };
}

/** Server credentials for `files` (mutual TLS), or plain text. Throws `ConfigError` for unusable PEM data. */
export function serverCredentialsFor(files: TlsFiles | undefined, configFile: string): ServerCredentials {
  if (!files) return ServerCredentials.createInsecure();
  try {
    return ServerCredentials.createSsl(files.ca, [{ private_key: files.key, cert_chain: files.cert }], true);
  } catch (err) {
    throw new ConfigError([{ section: 'grpc', message: `tls_cert, tls_key and ca_cert do not form a usable TLS setup: ${err instanceof Error ? err.message : String(err)}` }], configFile);
  }
}
