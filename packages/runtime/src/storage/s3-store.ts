import type { S3ClientConfig } from "@aws-sdk/client-s3";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ObjectStore } from "./object-store.js";
import { assertValidKey, ObjectNotFound } from "./object-store.js";

export interface S3StoreOptions {
  bucket: string;
  client?: S3ClientConfig;
}

/** Object storage in an S3 bucket; every object is written with SSE-AES256. */
export function createS3Store(opts: S3StoreOptions): ObjectStore & { readonly client: S3Client } {
  const client = new S3Client(opts.client ?? {});
  const Bucket = opts.bucket;
  return {
    kind: "s3",
    client,
    async put(key, body, o) {
      assertValidKey(key);
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: key,
          Body: body,
          ContentType: o?.contentType,
          ServerSideEncryption: "AES256",
        }),
      );
    },
    async get(key) {
      assertValidKey(key);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!res.Body) throw new ObjectNotFound(key);
        return await res.Body.transformToByteArray();
      } catch (err) {
        if (err instanceof NoSuchKey) throw new ObjectNotFound(key);
        throw err;
      }
    },
    async exists(key) {
      assertValidKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (err) {
        if (err instanceof NotFound || (err as { name?: string }).name === "NotFound") return false;
        throw err;
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const res = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }),
        );
        for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
        ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
    async delete(key) {
      assertValidKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async presignGet(key, ttlSeconds) {
      assertValidKey(key);
      return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), {
        expiresIn: ttlSeconds,
      });
    },
    async ping() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
  };
}
