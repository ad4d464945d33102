/**
 * Builds the AWS SDK v3 client for the S3 family from resolved settings. Every SDK knob that
 * costs a pass over the bytes or stacks retries is set here, on purpose:
 *
 * - `requestChecksumCalculation` / `responseChecksumValidation` = `WHEN_REQUIRED`: the SDK's default
 *   (since 3.729) computes a CRC32 of every upload and checks one on every download, a full extra
 *   pass over the bytes that costs as much as the MD5 we need anyway; the manifest records the
 *   store's ETag (reference §3.2), and S3-compatible stores (older radosgw, MinIO) reject or ignore
 *   the new checksum headers. Operations that require a checksum (DeleteObjects) still get one.
 * - Payload signing: object bodies are sent as `UNSIGNED-PAYLOAD` (see `unsignedPayload`). Over
 *   plain http SigV4 would otherwise hash every body with SHA-256 before sending it, one more full
 *   pass (measured here: ~280 MB/s for SHA-256, i.e. slower than the network to a local radosgw).
 *   Over https TLS already protects the bytes; the ETag the store reports is what Medusa checks.
 * - The transport is undici (undici-handler.ts: why, and what it keeps of the SDK's handler).
 * - `read_timeout` is an idle timeout: a server that accepts a request and then goes quiet fails
 *   the attempt after that long, however long a healthy transfer takes.
 * - `maxAttempts` = 3: the SDK retries one request (a part, a listing page) a little; whole-object
 *   retries with backoff belong to the retry wrapper (storage/open.ts), so the two do not multiply
 *   into minutes of hidden retrying.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Settings, StaticCredentials } from './options.js';
import { UndiciHttpHandler } from './undici-handler.js';

/** SDK attempts per request (1 + 2 retries), see the module comment. */
export const SDK_MAX_ATTEMPTS = 3;
/** How long to wait for a TCP connection before the attempt fails. */
const CONNECTION_TIMEOUT_MS = 10_000;

/** Commands whose body is object content (the only ones worth not hashing). */
const CONTENT_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

/** A configured client; `credentials` undefined → the SDK default chain (with `settings.profile`). */
export function createS3Client(settings: S3Settings, credentials: StaticCredentials | undefined): S3Client {
  const config: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new UndiciHttpHandler({
      maxSockets: settings.maxSockets,
      tlsVerify: settings.tlsVerify,
      connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
      readTimeoutMs: settings.readTimeoutMs,
    }),
    // undici does not send `Expect: 100-continue` (see undici-handler.ts).
    expectContinueHeader: false,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(credentials !== undefined && { credentials }),
    ...(credentials === undefined && settings.profile !== undefined && { profile: settings.profile }),
  };
  const client = new S3Client(config);
  unsignedPayload(client);
  return client;
}

/**
 * Sends object bodies as `UNSIGNED-PAYLOAD`: the signer uses a payload hash already present in
 * the headers instead of computing SHA-256 over the body (see the module comment for why).
 */
function unsignedPayload(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (context.commandName !== undefined && CONTENT_COMMANDS.has(context.commandName) && request.headers) {
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      }
      return next(args);
    },
    { step: 'build', name: 'medusaUnsignedPayload' },
  );
}
