/**
 * Tokens for scripts and apps that cannot keep a cookie: a short-lived JWT access token
 * (15 minutes) and a refresh token that is stored hashed and replaced at every use. Using
 * a refresh token twice means it was copied: the whole family (that log-in) is revoked.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { Kysely, Transaction } from "kysely";
import type { DB, PlatformRole } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { type Actor, actorFor } from "./actor.ts";
import type { AccessTokenVerifier } from "./http-auth.ts";
import { type SigningKeys, verifyOwnToken } from "./keys.ts";
import { hashSecret, newSecret } from "./tokens.ts";

const ISSUER = "plenary";
const AUDIENCE = "plenary:api";
export const ACCESS_TOKEN_SECONDS = 15 * 60;
const REFRESH_TOKEN_DAYS = 30;
const REFRESH_PREFIX = "plnr_rt_";

export async function mintAccessToken(keys: SigningKeys, userId: string, role: PlatformRole): Promise<string> {
  const { key, header } = keys.signing;
  return new SignJWT({ role })
    .setProtectedHeader(header)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(userId)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(Math.floor(Date.now() / 1000) + ACCESS_TOKEN_SECONDS)
    .sign(key);
}

/**
 * Verifies an access token's signature and expiry (required, at most ACCESS_TOKEN_SECONDS after issue), then reads the user's current role and
 * ban (one indexed read), so a ban or demotion applies to API callers at once too.
 */
export function accessTokenVerifier(keys: SigningKeys, db: Kysely<DB>): AccessTokenVerifier {
  return async (token: string): Promise<Actor | null> => {
    let userId: string;
    try {
      const payload = await verifyOwnToken(keys, token, { issuer: ISSUER, audience: AUDIENCE, maxLifetimeSeconds: ACCESS_TOKEN_SECONDS });
      if (typeof payload.sub !== "string") return null;
      userId = payload.sub;
    } catch {
      return null;
    }
    const user = await db.selectFrom("users").select(["role", "banned_at"]).where("id", "=", userId).executeTakeFirst();
    if (!user || user.banned_at !== null) return null;
    return actorFor(userId, user.role, { kind: "access_token" });
  };
}

/** Starts a refresh token family (a log-in) or continues one (a rotation). */
export async function issueRefreshToken(db: Kysely<DB> | Transaction<DB>, userId: string, familyId: string = randomUUID()): Promise<string> {
  const token = newSecret(REFRESH_PREFIX);
  const now = Date.now();
  await db
    .insertInto("refresh_tokens")
    .values({
      id: randomUUID(),
      token_hash: hashSecret(token),
      user_id: userId,
      family_id: familyId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + REFRESH_TOKEN_DAYS * 86_400_000).toISOString(),
      used_at: null,
    })
    .execute();
  return token;
}

/** Spends a refresh token and returns its user and the token that replaces it. */
export async function rotateRefreshToken(db: Kysely<DB>, token: string): Promise<{ userId: string; role: PlatformRole; refreshToken: string }> {
  const invalid = () => AppError.unauthorized("The refresh token is not valid; log in again");
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("refresh_tokens")
      .innerJoin("users", "users.id", "refresh_tokens.user_id")
      .select(["refresh_tokens.id", "refresh_tokens.family_id", "refresh_tokens.user_id", "refresh_tokens.used_at", "refresh_tokens.expires_at", "users.role", "users.banned_at"])
      .where("refresh_tokens.token_hash", "=", hashSecret(token))
      .executeTakeFirst();
    if (!row) return null;
    if (row.used_at !== null) {
      // Replayed: whoever holds the family's current token may be an attacker, so end it all.
      await trx.deleteFrom("refresh_tokens").where("family_id", "=", row.family_id).execute();
      return "reused" as const;
    }
    if (row.banned_at !== null || Date.parse(row.expires_at) <= Date.now()) return null;
    const spent = await trx
      .updateTable("refresh_tokens")
      .set({ used_at: new Date().toISOString() })
      .where("id", "=", row.id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (spent.numUpdatedRows === 0n) return null;
    const refreshToken = await issueRefreshToken(trx, row.user_id, row.family_id);
    return { userId: row.user_id, role: row.role, refreshToken };
  });
  if (outcome === null || outcome === "reused") throw invalid();
  return outcome;
}

/** Revokes the log-in a refresh token belongs to; false when the token is unknown. */
export async function revokeRefreshFamily(db: Kysely<DB>, token: string): Promise<boolean> {
  const row = await db.selectFrom("refresh_tokens").select("family_id").where("token_hash", "=", hashSecret(token)).executeTakeFirst();
  if (!row) return false;
  await db.deleteFrom("refresh_tokens").where("family_id", "=", row.family_id).execute();
  return true;
}
