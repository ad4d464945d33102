/**
 * The `azure_blobs` backend on @azure/storage-blob. Loaded by the registry only for that provider.
 *
 * - `put`: below `multi_part_upload_threshold` one Put Blob (the service computes Content-MD5);
 *   from the threshold up, staged blocks of `multipart_chunksize` (raised so a blob stays under
 *   50,000 blocks), `multipart_max_concurrency` in flight, while an MD5 of the bytes is computed in
 *   the same pass and then stored as the blob's Content-MD5. Medusa leaves block blobs without one
 *   (its manifest then holds the ETag, useless for verification); we record the real MD5 for every
 *   blob, base64, the form Medusa compares (reference §3.2, §4.3).
 * - Hashes read back: base64 Content-MD5, else the ETag without quotes (blobs written by others).
 * - `storage_class` sets the access tier; `read_timeout` the per-try timeout.
 * - `deleteMany` deletes in parallel (16 at a time), reporting each failure.
 * - Credentials: Shared Key from `key_file`, else `DefaultAzureCredential` (see `auth.ts`).
 */
import { pipeline, type Readable } from 'node:stream';
import { BlobServiceClient, type BlobHTTPHeaders, type ContainerClient } from '@azure/storage-blob';
import type { StorageSection } from '../../../config/types.js';
import { ContentHasher, createHashingStream } from '../../../transfer/hashing.js';
import { byteSourceSize, openByteSource } from '../../byte-source.js';
import { InvalidRangeError, NotFoundError } from '../../errors.js';
import { compareKeys } from '../../key-rules.js';
import { assertListPrefix, assertObjectKey } from '../../key-rules.js';
import type { BackendContext } from '../../registry.js';
import type {
  ByteSource,
  DeleteManyResult,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutOptions,
  StorageBackend,
  StorageCapabilities,
} from '../../types.js';
import { mapAzureError } from './errors.js';
import { accountUrl, azureSettingsFrom, blockSizeFor, type AzureSettings } from './options.js';
import { createAzureCredential } from './credential.js';
import { deleteEach } from '../../delete-each.js';
import { flattenPages } from '../../pages.js';

/** SDK attempts per request (1 + 2 retries); whole-object retries belong to the retry wrapper. */
export const SDK_MAX_TRIES = 3;

interface BlobProps {
  contentLength?: number;
  lastModified?: Date;
  contentMD5?: Uint8Array;
  etag?: string;
}

/** An Azure Blob container as a `StorageBackend`. */
export class AzureBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities = { hashKind: 'md5-base64', maxDeleteBatch: 256, listingHasHash: true };

  constructor(
    private readonly settings: AzureSettings,
    private readonly container: ContainerClient,
  ) {
    this.provider = settings.provider;
  }

  /** The storage error for `err`, raised while doing `what`, worded for the credential in use. */
  private fail(what: string, err: unknown): Error {
    return mapAzureError(this.provider, what, err, this.settings.auth.kind);
  }

  private where(key: string): string {
    return `azure://${this.settings.container}/${key}`;
  }

  async put(key: string, source: ByteSource, options: PutOptions = {}): Promise<ObjectInfo> {
    assertObjectKey(this.provider, key);
    const blob = this.container.getBlockBlobClient(key);
    const headers: BlobHTTPHeaders = options.contentType !== undefined ? { blobContentType: options.contentType } : {};
    const common = {
      ...(options.signal && { abortSignal: options.signal }),
      ...(this.settings.tier !== undefined && { tier: this.settings.tier }),
      blobHTTPHeaders: headers,
    };
    try {
      options.signal?.throwIfAborted();
      const size = await byteSourceSize(source);
      if (size < this.settings.singlePutLimit) {
        // A factory, not a stream: the SDK's own retry reopens the source.
        const body = source.kind === 'bytes' ? source.data : () => openByteSource(source);
        await blob.upload(body, size, common);
      } else {
        const hasher = new ContentHasher({ md5: true }, size);
        const hashed = pipeline(openByteSource(source), createHashingStream(hasher), () => undefined);
        await blob.uploadStream(hashed, blockSizeFor(size, this.settings.blockSize), this.settings.blockConcurrency, common);
        const md5 = hasher.digest().md5Base64;
        if (md5 === undefined) throw new Error('MD5 of the uploaded bytes is missing');
        await blob.setHTTPHeaders({ ...headers, blobContentMD5: Buffer.from(md5, 'base64') }, common);
      }
    } catch (err) {
      throw this.fail(`put ${this.where(key)}`, err);
    }
    const info = await this.stat(key);
    if (!info) throw new NotFoundError(`${this.provider}: put ${this.where(key)}: the blob is missing right after its upload`);
    return info;
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    assertObjectKey(this.provider, key);
    const what = `get ${this.where(key)}`;
    const range = options.range;
    const offset = range?.start ?? 0;
    const count = range?.end !== undefined ? range.end - range.start + 1 : undefined;
    try {
      const out = await this.container.getBlobClient(key).download(offset, count, {
        ...(options.signal && { abortSignal: options.signal }),
        // The SDK resumes a broken body from where it stopped, a few times, before failing the stream.
        maxRetryRequests: 2,
      });
      const body = out.readableStreamBody as Readable | undefined;
      if (!body) throw new Error('download returned no body');
      // Azure answers a range starting past the end with 416, but azurite sends the whole blob
      // instead: check the size the answer reports, so both behave as the contract says.
      const total = totalSize(out.contentRange, out.contentLength);
      if (range && total !== undefined && range.start >= total && (range.start > 0 || total > 0)) {
        body.destroy();
        throw new InvalidRangeError(`${this.provider}: ${what}: range starts at ${range.start}, past the end of a ${total}-byte blob`);
      }
      return body;
    } catch (err) {
      throw this.fail(what, err);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(this.provider, key);
    try {
      return infoOf(key, await this.container.getBlobClient(key).getProperties());
    } catch (err) {
      const mapped = this.fail(`stat ${this.where(key)}`, err);
      // A missing container also answers 404 to a HEAD; only a missing blob means "undefined".
      if (mapped instanceof NotFoundError && !(await this.containerMissing())) return undefined;
      throw mapped instanceof NotFoundError ? new NotFoundError(`${this.provider}: stat ${this.where(key)}: the container does not exist`, { cause: err }) : mapped;
    }
  }

  private containerSeen = false;

  /** Whether the container is known to be missing (checked until it is seen once). */
  private async containerMissing(): Promise<boolean> {
    if (this.containerSeen) return false;
    try {
      this.containerSeen = await this.container.exists();
      return !this.containerSeen;
    } catch {
      return false;
    }
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return flattenPages(this.listPages(prefix, options));
  }

  async *listPages(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
    assertListPrefix(this.provider, prefix);
    const pages = this.container
      .listBlobsFlat({ ...(prefix !== '' && { prefix }), ...(options.signal && { abortSignal: options.signal }) })
      .byPage({ maxPageSize: 5000 });
    try {
      for await (const page of pages) {
        // The contract orders keys by UTF-8 bytes; azurite orders by UTF-16 code units, which
        // differs only for characters above U+FFFF against U+E000-U+FFFF. Sorting each page fixes
        // every case but such keys split across a page boundary (Medusa's keys are ASCII).
        const items = page.segment.blobItems.filter((item) => !item.name.endsWith('/'));
        items.sort((a, b) => compareKeys(a.name, b.name));
        if (items.length > 0) yield items.map((item) => infoOf(item.name, item.properties));
      }
    } catch (err) {
      throw this.fail(`list azure://${this.settings.container}/${prefix}`, err);
    }
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(this.provider, key);
    try {
      await this.container.getBlobClient(key).delete({ deleteSnapshots: 'include' });
    } catch (err) {
      if ((err as { code?: string }).code === 'BlobNotFound') return;
      throw this.fail(`delete ${this.where(key)}`, err);
    }
  }

  deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    return deleteEach(keys, (key) => this.delete(key));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Size of the whole blob from a download answer: `bytes a-b/TOTAL`, else the body length. */
function totalSize(contentRange: string | undefined, contentLength: number | undefined): number | undefined {
  const match = contentRange ? /\/(\d+)\s*$/.exec(contentRange) : null;
  if (match?.[1] !== undefined) return Number(match[1]);
  return contentRange ? undefined : contentLength;
}

function infoOf(key: string, p: BlobProps): ObjectInfo {
  const hash = p.contentMD5 && p.contentMD5.length > 0 ? Buffer.from(p.contentMD5).toString('base64') : p.etag?.replaceAll('"', '');
  return { key, size: p.contentLength ?? 0, lastModified: p.lastModified ?? new Date(0), ...(hash && { hash }) };
}

/**
 * Builds the backend for an `azure_blobs` section (no request is made). A missing or malformed
 * key file, or no key file and no AZURE_STORAGE_ACCOUNT, is a `ConfigError` naming the provider
 * and the `[storage]` key. `env` is the process environment (injected by tests).
 */
export async function createAzureBackend(storage: Readonly<StorageSection>, env: NodeJS.ProcessEnv = process.env): Promise<AzureBackend> {
  const settings = azureSettingsFrom(storage, env);
  const { account, credential } = await createAzureCredential(settings.provider, settings.auth);
  const service = new BlobServiceClient(accountUrl(settings, account), credential, {
    // Short SDK waits (default 4 s, doubling): the retry wrapper waits between whole attempts.
    retryOptions: { maxTries: SDK_MAX_TRIES, retryDelayInMs: 500, maxRetryDelayInMs: 4000, ...(settings.tryTimeoutMs !== undefined && { tryTimeoutInMs: settings.tryTimeoutMs }) },
  });
  return new AzureBackend(settings, service.getContainerClient(settings.container));
}

/** Registry entry point (see `BackendModule`). */
export async function createBackend(storage: Readonly<StorageSection>, _context: BackendContext): Promise<StorageBackend> {
  return createAzureBackend(storage);
}
