/**
 * The S3 client's HTTP transport: the AWS SDK's requests sent through undici (Node's own HTTP
 * client, maintained by the Node.js project) instead of the SDK's default handler over `node:http`.
 *
 * Why: a restore is a long download, and receiving it through `node:http` cost more client CPU
 * than rclone's whole download of the same objects (bench/s3-vs-rclone.ts). `node:http` copies
 * every body chunk out of the socket's read buffer into a fresh one; undici parses in place and
 * hands out views of what the socket read, about a third of the receive cost here.
 *
 * What stays as it was with the SDK's handler (the storage conformance and bad-input suites check
 * it): keep-alive connections, at most `maxSockets` per origin; TLS verification unless turned off;
 * a connect timeout; `read_timeout` as an idle timeout (waiting for the answer's headers, and
 * between two pieces of its body); the abort signal; and failures in the form the SDK's retries and
 * `mapS3Error` know (`TimeoutError`/`ETIMEDOUT`, socket codes). Failures while a body streams (a
 * cut connection, an idle body) reach the body's reader with undici's codes; `errors.ts` maps those.
 * The SDK's `Expect: 100-continue` is turned off by the client (undici does not send it): a refused
 * upload is then only noticed after its body was sent, which for 50 MiB parts costs little.
 */
import { buildQueryString, HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import type { HttpHandlerOptions } from '@smithy/types';
import { Agent, type Dispatcher } from 'undici';

/** What the transport needs to know. */
export interface UndiciHandlerOptions {
  /** Connections per origin (requests beyond wait for one). */
  readonly maxSockets: number;
  /** Refuse certificates that do not verify (`ssl_verify`). */
  readonly tlsVerify: boolean;
  /** Milliseconds to wait for a TCP (and TLS) connection. */
  readonly connectionTimeoutMs: number;
  /** Milliseconds of silence from the store after which an attempt fails (`read_timeout`). */
  readonly readTimeoutMs: number;
}

/** undici codes of request failures, and the socket code the SDK's retries know them by. */
const CODES: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
};

/** An SDK request handler over one undici `Agent` (see the module comment). */
export class UndiciHttpHandler {
  /** Read by the SDK (which protocol the handler speaks). */
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly agent: Agent;

  constructor(private readonly options: UndiciHandlerOptions) {
    this.agent = new Agent({
      connections: options.maxSockets,
      connect: { timeout: options.connectionTimeoutMs, rejectUnauthorized: options.tlsVerify },
      headersTimeout: options.readTimeoutMs,
      bodyTimeout: options.readTimeoutMs,
    });
  }

  async handle(request: HttpRequest, { abortSignal }: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = abortSignal as AbortSignal | undefined;
    if (signal?.aborted) throw abortError(signal);
    const query = request.query ? buildQueryString(request.query) : '';
    const origin = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
    try {
      const answer = await this.agent.request({
        origin,
        path: `${request.path}${query ? `?${query}` : ''}`,
        method: request.method,
        headers: request.headers,
        body: request.body as Dispatcher.DispatchOptions['body'],
        ...(signal && { signal }),
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      return { response: new HttpResponse({ statusCode: answer.statusCode, headers, body: answer.body }) };
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw this.sdkError(err);
    }
  }

  /** A request failure in the shape the SDK's retries and `mapS3Error` expect. */
  private sdkError(err: unknown): unknown {
    if (!(err instanceof Error)) return err;
    const e = err as Error & { code?: string };
    const code = e.code !== undefined ? CODES[e.code] : undefined;
    if (code === 'ETIMEDOUT') {
      const what = e.code === 'UND_ERR_CONNECT_TIMEOUT' ? `connecting timed out after ${this.options.connectionTimeoutMs} ms` : `the store sent nothing for ${this.options.readTimeoutMs} ms (read timed out)`;
      return Object.assign(new Error(what, { cause: err }), { name: 'TimeoutError', code });
    }
    if (code !== undefined) return Object.assign(new Error(`connection closed by the store (${e.message})`, { cause: err }), { code });
    return err;
  }

  updateHttpClientConfig(): void {
    // Settings are fixed at construction (see `createS3Client`).
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}

/** The error the SDK's own handler rejects with on an abort (`AbortError`, the reason as cause). */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return Object.assign(new Error('Request aborted', reason instanceof Error ? { cause: reason } : {}), { name: 'AbortError' });
}
