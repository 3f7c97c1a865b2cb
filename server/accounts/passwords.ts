import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

/** Length rules: long enough to resist guessing, short enough that hashing stays cheap. */
export const passwordSchema = z
  .string()
  .min(10, "Use at least 10 characters")
  .max(256, "Use at most 256 characters");

// argon2id with OWASP's second recommended profile (19 MiB, 2 passes).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export function verifyPassword(hashed: string, password: string): Promise<boolean> {
  return verify(hashed, password);
}
