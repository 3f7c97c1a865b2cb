/**
 * Who is making a request or sending a message, resolved once at the boundary and passed
 * explicitly to the policy and the domain code.
 */
import type { PlatformRole } from "../db/schema.ts";

/** How an authenticated actor proved who it is. */
export type Credential =
  | { kind: "session"; sessionId: string }
  | { kind: "access_token" };

export type Actor =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; credential: Credential }
  | { kind: "admin"; userId: string; credential: Credential }
  /** A personal API token: the user's identity, limited to the token's scopes. */
  | { kind: "api_token"; userId: string; role: PlatformRole; tokenId: string; scopes: readonly ApiScope[] };

/** What a personal API token may be allowed to do. */
export const API_SCOPES = ["profile:read", "profile:write", "events:read", "events:write", "admin"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const ANONYMOUS: Actor = { kind: "anonymous" };

export function actorFor(userId: string, role: PlatformRole, credential: Credential): Actor {
  return role === "admin" ? { kind: "admin", userId, credential } : { kind: "user", userId, credential };
}

export function actorUserId(actor: Actor): string | null {
  return actor.kind === "anonymous" ? null : actor.userId;
}

/** The session behind the actor, when it came from a cookie. */
export function actorSessionId(actor: Actor): string | null {
  return (actor.kind === "user" || actor.kind === "admin") && actor.credential.kind === "session"
    ? actor.credential.sessionId
    : null;
}
