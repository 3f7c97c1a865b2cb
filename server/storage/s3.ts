/**
 * An S3-compatible store (AWS S3, Garage, SeaweedFS, Ceph, MinIO) through the AWS SDK.
 *
 * Why @aws-sdk/client-s3 + @aws-sdk/lib-storage and not the `minio` client: minio's
 * multipart upload first lists in-progress uploads (`GET ?uploads`), which s3rver (the
 * S3-compatible server our tests run on loopback) answers with 501, so its multipart path
 * cannot be tested honestly here. lib-storage's multipart path uses only
 * CreateMultipartUpload, UploadPart and CompleteMultipartUpload (and AbortMultipartUpload
 * on failure, so nothing is left half-uploaded), which every store above implements.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type ReadOptions, type Storage, type StoredObject, withRetries } from "./storage.ts";

export type S3StorageOptions = {
  endpoint: string;
  bucket: string;
  /** Put before every key, e.g. "plenary/". Default "". */
  prefix?: string;
  region: string;
  /** Path-style URLs (http://host/bucket/key), needed by most self-hosted stores. */
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Multipart part size in bytes (S3's minimum is 5 MiB). Default 8 MiB. */
  partSize?: number;
  /** Attempts per upload, each itself retrying failed requests. Default 3. */
  uploadAttempts?: number;
};

export class S3Storage implements Storage {
  readonly kind = "s3";
  readonly client: S3Client;
  readonly #options: S3StorageOptions;

  constructor(options: S3StorageOptions) {
    this.#options = options;
    this.client = new S3Client({
      endpoint: options.endpoint || undefined,
      region: options.region,
      forcePathStyle: options.pathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      maxAttempts: 3,
      // Self-hosted stores do not all know the newer integrity headers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  #key(key: string): string {
    return `${this.#options.prefix ?? ""}${key}`;
  }
  #unprefix(key: string): string {
    const prefix = this.#options.prefix ?? "";
    return key.startsWith(prefix) ? key.slice(prefix.length) : key;
  }

  async upload(key: string, file: string, options: { contentType?: string } = {}): Promise<StoredObject> {
    const { size } = await stat(file);
    return withRetries(this.#options.uploadAttempts ?? 3, 500, async () => {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.#options.bucket, Key: this.#key(key), Body: createReadStream(file), ContentType: options.contentType },
        partSize: this.#options.partSize ?? 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
      const stored = await this.stat(key);
      if (stored?.size !== size) throw new Error(`stored ${key} is ${stored?.size ?? "missing"}, expected ${size} bytes`);
      return stored;
    });
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }));
      return { key, size: head.ContentLength ?? 0 };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async read(key: string, range?: ReadOptions): Promise<Readable> {
    const Range = range ? `bytes=${range.start ?? 0}-${range.end ?? ""}` : undefined;
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key), Range }));
    return object.Body as Readable;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.#options.bucket, Prefix: this.#key(prefix), ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) found.push({ key: this.#unprefix(o.Key), size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async deletePrefix(prefix: string): Promise<void> {
    const objects = await this.list(prefix);
    for (let i = 0; i < objects.length; i += 1000) {
      const batch = objects.slice(i, i + 1000).map((o) => ({ Key: this.#key(o.key) }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.#options.bucket, Delete: { Objects: batch, Quiet: true } }));
    }
  }

  presignedUrl(key: string, ttlSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }), { expiresIn: ttlSeconds });
  }

  async check(): Promise<string> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.#options.bucket }));
    return "ok";
  }
}
