import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { isCommonPassword } from "./common-passwords.ts";

/** Length rules: long enough to resist guessing, short enough that hashing stays cheap. */
export const passwordSchema = z
  .string()
  .min(10, "Use at least 10 characters")
  .max(256, "Use at most 256 characters")
  .refine((p) => !isCommonPassword(p), "This password is one of the most common ones; choose another");

// argon2id with OWASP's second recommended profile (19 MiB, 2 passes).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export function verifyPassword(hashed: string, password: string): Promise<boolean> {
  return verify(hashed, password);
}

// Verified against when an e-mail is unknown, so a failed log-in costs the same either way.
let decoy: Promise<string> | undefined;

/** Checks a password against a user's hash, or spends the same time when there is none. */
export async function verifyOrWaste(hashed: string | null | undefined, password: string): Promise<boolean> {
  if (hashed) return verifyPassword(hashed, password);
  decoy ??= hashPassword("decoy password never matches");
  await verifyPassword(await decoy, password);
  return false;
}
