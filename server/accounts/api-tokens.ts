/**
 * Personal API tokens: a user creates one with scopes for a script or integration and
 * sends it as `Authorization: Bearer plnr_pat_...`. Only its SHA-256 is stored; it acts
 * as its user, limited to its scopes, and stops working when revoked or the user is banned.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { API_SCOPES, type Actor, type ApiScope } from "./actor.ts";
import { hashSecret, newSecret } from "./tokens.ts";

export const API_TOKEN_PREFIX = "plnr_pat_";
// last_used_at is written at most this often.
const TOUCH_INTERVAL_MS = 60_000;

export const newApiTokenSchema = z.strictObject({
  name: z.string().trim().min(1, "Name the token").max(80, "Use at most 80 characters"),
  scopes: z.array(z.enum(API_SCOPES)).min(1, "Choose at least one scope").max(API_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export async function createApiToken(db: Kysely<DB>, userId: string, input: z.infer<typeof newApiTokenSchema>) {
  const token = newSecret(API_TOKEN_PREFIX);
  const now = new Date();
  const row = {
    id: randomUUID(),
    token_hash: hashSecret(token),
    user_id: userId,
    name: input.name,
    scopes: JSON.stringify([...new Set(input.scopes)]),
    created_at: now.toISOString(),
    last_used_at: null,
    expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
  };
  await db.insertInto("api_tokens").values(row).execute();
  return { token, ...describe(row) };
}

export async function listApiTokens(db: Kysely<DB>, userId: string) {
  const rows = await db.selectFrom("api_tokens").selectAll().where("user_id", "=", userId).orderBy("created_at", "desc").execute();
  return rows.map(describe);
}

export async function revokeApiToken(db: Kysely<DB>, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("api_tokens").where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The actor a token stands for, or null when it is unknown, expired or its user banned. */
export async function verifyApiToken(db: Kysely<DB>, token: string, now = Date.now()): Promise<Actor | null> {
  const row = await db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .select(["api_tokens.id", "api_tokens.user_id", "api_tokens.scopes", "api_tokens.expires_at", "api_tokens.last_used_at", "users.role", "users.banned_at"])
    .where("api_tokens.token_hash", "=", hashSecret(token))
    .executeTakeFirst();
  if (!row || row.banned_at !== null) return null;
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now) return null;
  if (row.last_used_at === null || now - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
    await db.updateTable("api_tokens").set({ last_used_at: new Date(now).toISOString() }).where("id", "=", row.id).execute();
  }
  return { kind: "api_token", userId: row.user_id, role: row.role, tokenId: row.id, scopes: JSON.parse(row.scopes) as ApiScope[] };
}

function describe(row: { id: string; name: string; scopes: string; created_at: string; last_used_at: string | null; expires_at: string | null }) {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ApiScope[],
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
  };
}
