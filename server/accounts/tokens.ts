/** Secrets handed to clients (cookies, links, API tokens): random, and stored only as SHA-256. */
import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes, base64url: 256 bits, so the hash alone is a safe lookup key. */
export function newSecret(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
