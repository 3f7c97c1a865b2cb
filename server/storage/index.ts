import path from "node:path";
import type { LoadedConfig } from "../config/index.ts";
import { LocalStorage } from "./local.ts";
import type { Storage } from "./storage.ts";

export { LocalStorage } from "./local.ts";
export type { Storage, StoredObject } from "./storage.ts";

/**
 * The store `[storage]` configures; the local folder is relative to the data folder. The
 * AWS SDK is loaded only for the S3 backend (it adds seconds to every start otherwise).
 */
export async function createStorage(config: LoadedConfig): Promise<Storage> {
  const s = config.storage;
  if (s.backend === "s3") {
    const { S3Storage } = await import("./s3.ts");
    return new S3Storage({
      endpoint: s.endpoint,
      bucket: s.bucket,
      prefix: s.prefix,
      region: s.region,
      pathStyle: s.path_style,
      accessKeyId: s.access_key_id,
      secretAccessKey: s.secret_access_key,
      partSize: s.upload_part_size_mb * 1024 * 1024,
      uploadAttempts: s.upload_attempts,
    });
  }
  return new LocalStorage(path.resolve(config.paths.dataDir, s.local_dir));
}
