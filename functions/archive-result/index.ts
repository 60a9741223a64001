// Archive (FunctionGraph document flow): stores a document's analysis as JSON in OBS under archive/.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({ forcePathStyle: true });

export interface ArchiveEvent {
  readonly bucket: string;
  readonly key: string;
  readonly analysis: unknown;
}

export async function handler(event: ArchiveEvent): Promise<{ bucket: string; key: string }> {
  const name = event.key.replace(/^documents\//, '').replace(/\.[^./]+$/, '');
  const key = `archive/${name}.json`;
  await s3.send(
    new PutObjectCommand({
      Bucket: event.bucket,
      Key: key,
      Body: JSON.stringify(
        { source: event.key, analysis: event.analysis, archivedAt: new Date().toISOString() },
        null,
        2,
      ),
      ContentType: 'application/json',
    }),
  );
  return { bucket: event.bucket, key };
}
