/** Single-use links sent by e-mail (verify the address, reset the password). */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB, EmailTokenPurpose } from "../db/schema.ts";
import { hashSecret, newSecret } from "./tokens.ts";

/** Issues a new link for the purpose; earlier unused links for it stop working. */
export async function issueEmailToken(
  db: Kysely<DB> | Transaction<DB>,
  userId: string,
  email: string,
  purpose: EmailTokenPurpose,
  lifetimeMs: number,
): Promise<string> {
  const token = newSecret();
  const now = Date.now();
  await db.deleteFrom("email_tokens").where("user_id", "=", userId).where("purpose", "=", purpose).where("used_at", "is", null).execute();
  await db
    .insertInto("email_tokens")
    .values({
      id: randomUUID(),
      token_hash: hashSecret(token),
      user_id: userId,
      purpose,
      email,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + lifetimeMs).toISOString(),
      used_at: null,
    })
    .execute();
  return token;
}

/**
 * Uses a link once: the update only matches an unused, unexpired token, so two requests
 * racing with the same link cannot both succeed. Returns whose it was, or null.
 */
export async function consumeEmailToken(
  db: Kysely<DB> | Transaction<DB>,
  token: string,
  purpose: EmailTokenPurpose,
): Promise<{ userId: string; email: string } | null> {
  const now = new Date().toISOString();
  const row = await db
    .updateTable("email_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", hashSecret(token))
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning(["user_id", "email"])
    .executeTakeFirst();
  return row ? { userId: row.user_id, email: row.email } : null;
}
