/**
 * Bad input against the real servers, through the production stack (`openStorage`): wrong
 * credentials, a missing bucket, an unreachable endpoint and a malformed key file each end in ONE
 * line naming the provider and the cause, as a MedusaError with a non-zero exit code, and never
 * quote a secret. (fake-gcs-server checks no credentials, so wrong GCS credentials are not covered.)
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { openStorage } from '../../src/storage/open.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { MedusaError } from '../../src/util/errors.js';
import {
  azureKeyFile,
  azuriteLines,
  fakeGcsLines,
  minioLines,
  radosgwLines,
  requireEnv,
  s3KeyFile,
  storageSection,
  tempKeyFile,
} from '../support/object-store-env.js';

type Lines = Record<string, string | number | boolean>;
// Short waits between attempts: the unreachable cases still go through every retry.
const retry = { baseDelayMs: 20, maxDelayMs: 50 };

/** A port on 127.0.0.1 where nothing listens (taken from the kernel, then released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

/** Runs a listing (the first thing every command does) and returns the error it must fail with. */
async function failure(lines: Lines): Promise<Error> {
  let backend: StorageBackend | undefined;
  try {
    backend = await openStorage({ storage: storageSection(lines) }, { retry });
    for await (const info of backend.list('index/')) assert.ok(info.key);
    await backend.stat('index/backup_index/missing/tokenmap_x.json');
  } catch (err) {
    return err as Error;
  } finally {
    await backend?.close();
  }
  assert.fail('expected the storage operation to fail');
}

function assertOneClearLine(err: Error, provider: string, cause: RegExp, secrets: readonly string[]): void {
  assert.ok(err instanceof MedusaError, `a MedusaError, got ${err.constructor.name}: ${err.message}`);
  assert.notEqual(err.exitCode, 0);
  assert.ok(!err.message.includes('\n'), `one line: ${JSON.stringify(err.message)}`);
  assert.ok(err.message.includes(provider), `names the provider: ${err.message}`);
  assert.match(err.message, cause);
  for (const secret of secrets) assert.ok(!err.message.includes(secret), 'no secret in the message');
}

/**
 * The refusals of an S3 server through the stack, the same rows for radosgw and MinIO: they word
 * them differently, and the lines must say the same things.
 */
function describeS3Refusals(server: string, provider: string, lines: (extra: Lines) => Lines, env: 'S3' | 'MINIO'): void {
  describe(`bad input: S3 (${provider} on ${server})`, () => {
    const secret = (): string => requireEnv(`MEDUSA_TEST_${env}_SECRET_KEY`);
    test('wrong secret key', async () => {
      const wrong = 'WRONG-SECRET-0123456789';
      const err = await failure(lines({ key_file: s3KeyFile(requireEnv(`MEDUSA_TEST_${env}_ACCESS_KEY`), wrong) }));
      assertOneClearLine(err, provider, /secret key is wrong/, [wrong, secret()]);
    });
    test('unknown access key', async () => {
      const err = await failure(lines({ key_file: s3KeyFile('NOSUCHKEY', 'whatever-secret') }));
      assertOneClearLine(err, provider, /access key is not known/, ['whatever-secret', secret()]);
    });
    test('missing bucket', async () => {
      const err = await failure(lines({ bucket_name: 'no-such-bucket-medusa' }));
      assertOneClearLine(err, provider, /no-such-bucket-medusa.*bucket does not exist/, [secret()]);
    });
    test('missing bucket, seen by a stat (a HEAD answers a bare 404)', async () => {
      const backend = await openStorage({ storage: storageSection(lines({ bucket_name: 'no-such-bucket-medusa' })) }, { retry });
      try {
        const err = await backend.stat('index/x').then(() => new Error('stat succeeded'), (e: unknown) => e as Error);
        assertOneClearLine(err, provider, /no-such-bucket-medusa.*bucket does not exist/, [secret()]);
      } finally {
        await backend.close();
      }
    });
  });
}

describeS3Refusals('radosgw', 's3_rgw', radosgwLines, 'S3');
describeS3Refusals('MinIO', 's3_compatible', minioLines, 'MINIO');

describe('bad input: S3 endpoints that do not answer (s3_rgw)', () => {
  const secret = (): string => requireEnv('MEDUSA_TEST_S3_SECRET_KEY');
  test('unreachable endpoint', async () => {
    const err = await failure(radosgwLines({ port: await closedPort() }));
    assertOneClearLine(err, 's3_rgw', /connection refused/, [secret()]);
  });
  // Without the idle timeout the stat would hang: the test's own timeout then fails it.
  test('an endpoint that accepts connections and never answers fails after read_timeout', { timeout: 60_000 }, async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const backend = await openStorage({ storage: storageSection(radosgwLines({ port, read_timeout: 1 })) }, { retry: { ...retry, maxAttempts: 1 } });
      try {
        const err = await backend.stat('index/x').then(() => new Error('stat succeeded'), (e: unknown) => e as Error);
        assertOneClearLine(err, 's3_rgw', /timed out/, [secret()]);
      } finally {
        await backend.close();
      }
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
  test('malformed key file', async () => {
    const err = await failure(radosgwLines({ key_file: tempKeyFile('credentials', 'aws_access_key_id=ONLY\n') }));
    assertOneClearLine(err, 's3_rgw', /key_file: .*credentials.*(no \[default\] section|lacks)/, []);
    assert.equal((err as MedusaError).exitCode, 2, 'a configuration problem exits 2');
  });
  test('missing key file', async () => {
    const err = await failure(radosgwLines({ key_file: '/nonexistent/medusa-credentials' }));
    assertOneClearLine(err, 's3_rgw', /cannot read \/nonexistent\/medusa-credentials \(ENOENT\)/, []);
  });
});

describe('bad input: Azure (azure_blobs on azurite)', () => {
  const key = (): string => requireEnv('MEDUSA_TEST_AZURITE_KEY');
  test('wrong account key', async () => {
    const wrong = Buffer.from('definitely-not-the-key-of-this-account').toString('base64');
    const err = await failure(azuriteLines({ key_file: azureKeyFile(requireEnv('MEDUSA_TEST_AZURITE_ACCOUNT'), wrong) }));
    assertOneClearLine(err, 'azure_blobs', /account key was refused/, [wrong, key()]);
  });
  test('missing container', async () => {
    const err = await failure(azuriteLines({ bucket_name: 'no-such-container' }));
    assertOneClearLine(err, 'azure_blobs', /no-such-container.*container does not exist/, [key()]);
  });
  test('unreachable endpoint', async () => {
    const err = await failure(azuriteLines({ port: await closedPort() }));
    assertOneClearLine(err, 'azure_blobs', /connection refused/, [key()]);
  });
  test('malformed key file', async () => {
    const err = await failure(azuriteLines({ key_file: tempKeyFile('azure.json', '{"storage_account": "devstoreaccount1", "key": ') }));
    assertOneClearLine(err, 'azure_blobs', /key_file: .*azure\.json is not valid JSON/, [key()]);
  });
});

describe('bad input: GCS (google_storage on fake-gcs-server)', () => {
  test('missing bucket', async () => {
    const err = await failure(fakeGcsLines({ bucket_name: 'no-such-bucket-medusa' }));
    assertOneClearLine(err, 'google_storage', /no-such-bucket-medusa.*(bucket does not exist|Not Found)/, []);
  });
  test('unreachable endpoint', async () => {
    const err = await failure(fakeGcsLines({ port: await closedPort() }));
    assertOneClearLine(err, 'google_storage', /connection refused/, []);
  });
  test('malformed key file', async () => {
    const err = await failure(fakeGcsLines({ key_file: tempKeyFile('sa.json', '{"type": "service_account"}') }));
    assertOneClearLine(err, 'google_storage', /key_file: .*sa\.json is not a service-account key/, []);
  });
});
