/**
 * Browser sessions, written by hand as Lucia's successor guide describes: a random token
 * in an HttpOnly cookie, only its SHA-256 in the database, an expiry that slides forward
 * while the session is used, and revocation by deleting the row.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB, PlatformRole } from "../db/schema.ts";
import { hashSecret, newSecret } from "./tokens.ts";

export const SESSION_COOKIE = "plenary_session";

const DAY_MS = 86_400_000;
// last_seen_at is written at most this often, so a busy session does not write on every request.
const TOUCH_INTERVAL_MS = 60_000;

export type SessionClient = { userAgent: string; ip: string };

/** What one indexed read of a session returns: enough to build the request's actor. */
export type ValidSession = {
  id: string;
  userId: string;
  role: PlatformRole;
  expiresAt: string;
  /** The expiry moved forward on this check, so the cookie should be sent again. */
  renewed: boolean;
};

export async function createSession(
  db: Kysely<DB> | Transaction<DB>,
  userId: string,
  client: SessionClient,
  days: number,
): Promise<{ token: string; id: string; expiresAt: string }> {
  const token = newSecret();
  const now = Date.now();
  const row = {
    id: randomUUID(),
    token_hash: hashSecret(token),
    user_id: userId,
    created_at: new Date(now).toISOString(),
    last_seen_at: new Date(now).toISOString(),
    expires_at: new Date(now + days * DAY_MS).toISOString(),
    user_agent: summarizeUserAgent(client.userAgent),
    ip: client.ip,
  };
  await db.insertInto("sessions").values(row).execute();
  return { token, id: row.id, expiresAt: row.expires_at };
}

/**
 * The session a cookie token names, or null when it is unknown, expired, or its user is
 * banned. Past half its lifetime the expiry moves forward by a full lifetime.
 */
export async function validateSessionToken(
  db: Kysely<DB>,
  token: string,
  days: number,
  now = Date.now(),
): Promise<ValidSession | null> {
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["sessions.id", "sessions.user_id", "sessions.expires_at", "sessions.last_seen_at", "users.role", "users.banned_at"])
    .where("sessions.token_hash", "=", hashSecret(token))
    .executeTakeFirst();
  if (!row || row.banned_at !== null) return null;
  const expires = Date.parse(row.expires_at);
  if (expires <= now) {
    await db.deleteFrom("sessions").where("id", "=", row.id).execute();
    return null;
  }
  let expiresAt = row.expires_at;
  const lifetime = days * DAY_MS;
  if (expires - now < lifetime / 2) {
    expiresAt = new Date(now + lifetime).toISOString();
    await db
      .updateTable("sessions")
      .set({ expires_at: expiresAt, last_seen_at: new Date(now).toISOString() })
      .where("id", "=", row.id)
      .execute();
  } else if (now - Date.parse(row.last_seen_at) > TOUCH_INTERVAL_MS) {
    await db.updateTable("sessions").set({ last_seen_at: new Date(now).toISOString() }).where("id", "=", row.id).execute();
  }
  return { id: row.id, userId: row.user_id, role: row.role, expiresAt, renewed: expiresAt !== row.expires_at };
}

export async function listSessions(db: Kysely<DB>, userId: string) {
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "expires_at", "user_agent", "ip"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", new Date().toISOString())
    .orderBy("last_seen_at", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    device: r.user_agent,
    ip: r.ip,
  }));
}

/** Revokes one of the user's sessions; false when it is not theirs or already gone. */
export async function revokeSession(db: Kysely<DB> | Transaction<DB>, userId: string, sessionId: string): Promise<boolean> {
  const result = await db.deleteFrom("sessions").where("id", "=", sessionId).where("user_id", "=", userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Ends every session of a user, but one when `keep` names it; returns the ids ended. */
export async function revokeAllSessions(
  db: Kysely<DB> | Transaction<DB>,
  userId: string,
  keep?: string,
): Promise<string[]> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (keep) query = query.where("id", "!=", keep);
  const rows = await query.returning("id").execute();
  return rows.map((r) => r.id);
}

/** "Firefox on Linux"-style summary: enough to recognize a device, no fingerprint kept. */
export function summarizeUserAgent(userAgent: string): string {
  if (!userAgent) return "Unknown device";
  const browser =
    /Edg\//.test(userAgent) ? "Edge"
    : /Firefox\//.test(userAgent) ? "Firefox"
    : /Chrome\//.test(userAgent) ? "Chrome"
    : /Safari\//.test(userAgent) ? "Safari"
    : /^curl\//.test(userAgent) ? "curl"
    : /^node|undici/i.test(userAgent) ? "Node.js"
    : "Browser";
  const system =
    /Android/.test(userAgent) ? "Android"
    : /iPhone|iPad/.test(userAgent) ? "iOS"
    : /Windows/.test(userAgent) ? "Windows"
    : /Mac OS X|Macintosh/.test(userAgent) ? "macOS"
    : /Linux/.test(userAgent) ? "Linux"
    : "";
  return system ? `${browser} on ${system}` : browser;
}
