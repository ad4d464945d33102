/**
 * One HTTP request to the node's side-car API (the Management API or Jolokia), with a deadline
 * and, for `https:` URLs, client certificates. Built on `node:http`/`node:https` because `fetch`
 * cannot present a client certificate.
 *
 * Callers may rely on: the promise settles within `timeoutMs` whatever the server does (a server
 * that accepts and never answers included); a rejection is an `HttpCallError` with a one-line
 * message naming the URL without its user info; credentials in the URL go out as Basic auth and
 * never into a message.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Client certificate and trust for `https:` URLs (file contents, not paths). */
export interface HttpTls {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /**
   * Trusted CA. When set, the server's chain must lead to it (its host name is not checked: the
   * URL is the pod's loopback, which server certificates rarely name).
   */
  readonly ca?: Buffer;
  /** Without `ca`: accept any server certificate (Medusa's Management API client does). */
  readonly skipServerCheck?: boolean;
}

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: URL;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  readonly tls?: HttpTls;
  readonly timeoutMs: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** The request did not get an answer (connection, TLS, deadline). */
export class HttpCallError extends Error {}

/** The URL as it may appear in a message: no user name, no password. */
export function shownUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Cap on a body kept for messages and parsing: answers here are a few hundred bytes. */
const MAX_BODY = 1024 * 1024;

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** OpenSSL's `<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:...` → its reason. */
function opensslReason(message: string): string | undefined {
  return /:SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the API running?)';
  const ssl = opensslReason(e.message ?? '');
  if (ssl === 'tlsv13 alert certificate required' || ssl === 'sslv3 alert handshake failure') {
    return `the server wants a client certificate it accepts ([kubernetes] tls_cert and tls_key): TLS ${ssl}`;
  }
  if (ssl !== undefined) return `TLS: ${ssl}`;
  if (e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') {
    return `the server's certificate is not signed by [kubernetes] ca_cert (${e.code})`;
  }
  return (e.message || String(err)).replace(/\s+/g, ' ').trim();
}

/** Sends one request and resolves with the status and body, whatever the status. */
export function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const secure = call.url.protocol === 'https:';
  const body = call.json === undefined ? undefined : Buffer.from(JSON.stringify(call.json));
  const options: RequestOptions & { cert?: Buffer; key?: Buffer; ca?: Buffer; rejectUnauthorized?: boolean; checkServerIdentity?: () => undefined } = {
    method: call.method,
    headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}) },
    ...(call.url.username !== '' ? { auth: `${decodeURIComponent(call.url.username)}:${decodeURIComponent(call.url.password)}` } : {}),
  };
  if (secure) {
    if (call.tls?.cert) options.cert = call.tls.cert;
    if (call.tls?.key) options.key = call.tls.key;
    if (call.tls?.ca) {
      options.ca = call.tls.ca;
      options.checkServerIdentity = () => undefined;
    } else if (call.tls?.skipServerCheck) {
      options.rejectUnauthorized = false;
    }
  }
  const target = new URL(call.url.href);
  target.username = '';
  target.password = '';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new HttpCallError(`${call.method} ${shownUrl(call.url)}: ${message}`, { cause }));
    };
    const req = send(target, options, (res) => {
      readBody(res).then(
        (text) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: text });
        },
        (err: unknown) => fail(`the answer broke off: ${reason(err)}`, err),
      );
    });
    const timer = setTimeout(() => fail(`no answer within ${Math.round(call.timeoutMs / 1000)} s`), call.timeoutMs);
    req.on('error', (err) => fail(reason(err), err));
    req.end(body);
  });
}
