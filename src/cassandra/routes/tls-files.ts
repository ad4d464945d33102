/**
 * The `[kubernetes]` certificate files (`tls_cert`, `tls_key`, `ca_cert`) read for the Management
 * API's client side. Read when the route is first used, so a purge whose snapshot sweep cannot
 * work still purges.
 */
import { readFile } from 'node:fs/promises';
import type { KubernetesSection } from '../../config/types.js';
import { OperationError } from '../../util/errors.js';
import type { HttpTls } from './http-call.js';

async function read(key: 'tls_cert' | 'tls_key' | 'ca_cert', path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OperationError(`[kubernetes] ${key}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`, { cause: err });
  }
}

/** The client certificate and CA named by the section; `undefined` when none is set. */
export async function readKubernetesTls(k: Pick<KubernetesSection, 'tls_cert' | 'tls_key' | 'ca_cert'>): Promise<HttpTls | undefined> {
  const cert = k.tls_cert ? await read('tls_cert', k.tls_cert) : undefined;
  if (cert && !k.tls_key) throw new OperationError('[kubernetes] tls_cert is set but tls_key is not: the client certificate needs its key');
  const key = k.tls_key ? await read('tls_key', k.tls_key) : undefined;
  const ca = k.ca_cert ? await read('ca_cert', k.ca_cert) : undefined;
  if (!cert && !key && !ca) return undefined;
  return { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
}
