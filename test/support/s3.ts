/**
 * A real S3-compatible server on loopback (npm `s3rver`) in a temp folder, for the
 * storage and recording tests. It lacks `GET ?uploads` (listing multipart uploads), which
 * our client never sends (see server/storage/s3.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error s3rver ships no types.
import S3rver from "s3rver";

export type TestS3 = { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; stop(): Promise<void> };

export async function startS3(bucket = "recordings"): Promise<TestS3> {
  const directory = mkdtempSync(path.join(tmpdir(), "plenary-s3-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    // s3rver's fixed credentials.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
