/** Bucket creation on the S3 test servers (radosgw, MinIO), through the AWS SDK. */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

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
