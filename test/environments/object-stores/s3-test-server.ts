/** What the S3 test servers (radosgw, MinIO) offer the tests, and bucket creation on them. */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** A running S3 test server and the coordinates to reach it. */
export interface S3TestServer {
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Creates a bucket (an error if it cannot). */
  createBucket(name: string): Promise<void>;
  /** Stops the server and removes its state folder; safe to call more than once. */
  stop(): Promise<void>;
}

/** Creates bucket `name` at `endpoint` (path-style) with the given keys; rejects if it cannot. */
export async function createS3Bucket(endpoint: string, accessKey: string, secretKey: string, name: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
}

/** The handle of an S3 test server listening on `port` of 127.0.0.1 with one pair of keys. */
export function s3TestServer(port: number, accessKey: string, secretKey: string, stop: () => Promise<void>): S3TestServer {
  const endpoint = `http://127.0.0.1:${port}`;
  return { endpoint, host: '127.0.0.1', port, accessKey, secretKey, createBucket: (name) => createS3Bucket(endpoint, accessKey, secretKey, name), stop };
}
