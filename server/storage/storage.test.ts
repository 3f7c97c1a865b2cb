/**
 * Both stores against real backends: a temp folder, and s3rver on loopback (multipart
 * upload of a file larger than one part, verified size, ranges, presigned GET, listing
 * and deletion).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../test/support/s3.ts";
import { LocalStorage } from "./local.ts";
import { S3Storage } from "./s3.ts";
import type { Storage } from "./storage.ts";

const work = mkdtempSync(path.join(tmpdir(), "plenary-storage-"));
// 11 MiB: three parts of 5 MiB.
const big = path.join(work, "big.bin");
const bigBytes = randomBytes(11 * 1024 * 1024);
writeFileSync(big, bigBytes);
const small = path.join(work, "small.txt");
writeFileSync(small, "0123456789");
let s3: TestS3;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

const s3Storage = (prefix = "p/") =>
  new S3Storage({ ...s3, region: "us-east-1", pathStyle: true, prefix, partSize: 5 * 1024 * 1024, uploadAttempts: 2 });

async function exercise(store: Storage) {
  expect(await store.check()).toBe("ok");
  expect(await store.upload("rec-1/big.bin", big)).toEqual({ key: "rec-1/big.bin", size: bigBytes.length });
  await store.upload("rec-1/small.txt", small, { contentType: "text/plain" });
  await store.upload("rec-2/small.txt", small);
  expect(await store.stat("rec-1/big.bin")).toEqual({ key: "rec-1/big.bin", size: bigBytes.length });
  expect(await store.stat("rec-1/nope")).toBeNull();
  expect(await text(await store.read("rec-1/small.txt", { start: 2, end: 5 }))).toBe("2345");
  const whole = Buffer.concat(await (await store.read("rec-1/big.bin")).toArray());
  expect(whole.equals(bigBytes)).toBe(true);
  expect((await store.list("rec-1/")).map((o) => o.key).sort()).toEqual(["rec-1/big.bin", "rec-1/small.txt"]);
  await store.deletePrefix("rec-1/");
  expect(await store.list("rec-1/")).toEqual([]);
  expect((await store.list("rec-2/")).map((o) => o.key)).toEqual(["rec-2/small.txt"]);
}

describe("storage", () => {
  it("local folder: upload with verified size, ranges, list, delete; refuses keys outside", async () => {
    const store = new LocalStorage(path.join(work, "local"));
    await exercise(store);
    expect(() => store.pathOf("../escape")).toThrow(/outside/);
    expect(await store.presignedUrl()).toBeNull();
  });

  it("S3 (s3rver): multipart upload, ranges, presigned GET, list, delete", async () => {
    const store = s3Storage();
    await exercise(store);
    await store.upload("rec-3/small.txt", small);
    const url = await store.presignedUrl("rec-3/small.txt", 60);
    expect(url).toContain("X-Amz-Signature=");
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("0123456789");
    // s3rver checks a presigned URL's expiry (not its SigV4 signature): an expired one is refused.
    const expired = await store.presignedUrl("rec-3/small.txt", 1);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await fetch(expired)).status).toBe(403);
  });

  it("S3: a failed upload throws after its retries and leaves no object", async () => {
    const store = new S3Storage({ ...s3, bucket: "no-such-bucket", region: "us-east-1", pathStyle: true, partSize: 5 * 1024 * 1024, uploadAttempts: 2 });
    await expect(store.upload("x/big.bin", big)).rejects.toThrow();
    expect(await s3Storage("").stat("x/big.bin")).toBeNull();
  });
});
