/**
 * Accounts at the WebSocket boundary: an upgrade from a foreign page is refused (browsers
 * always send Origin on WebSocket handshakes, so a page elsewhere cannot ride the cookie),
 * the session cookie names the user, and each message's action goes through the policy.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { fastifyCookie } from "@fastify/cookie";
import type { Kysely } from "kysely";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import { type ConnectionUser, type RealtimeGate, UpgradeRefused } from "../realtime/connection.ts";
import { ANONYMOUS, type Actor, actorFor } from "./actor.ts";
import { type AccessTokenVerifier, originAllowed } from "./http-auth.ts";
import { can } from "./policy.ts";
import { SESSION_COOKIE, validateSessionToken } from "./sessions.ts";

export function createRealtimeGate(config: LoadedConfig, db: Kysely<DB>, verifyAccessToken?: AccessTokenVerifier): RealtimeGate {
  return {
    async admit(request: IncomingMessage): Promise<ConnectionUser | null> {
      const origin = request.headers.origin;
      if (origin !== undefined && !(await originAllowed(origin, upgradeOrigin(request, config), config, db))) {
        throw new UpgradeRefused(403, "WebSocket connections from other sites are not accepted");
      }
      // Apps and scripts: a JWT access token. Personal API tokens are not accepted here,
      // since a socket would not keep their scopes.
      const authorization = request.headers.authorization;
      if (authorization !== undefined) {
        const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
        const actor = token && verifyAccessToken ? await verifyAccessToken(token) : null;
        if (!actor || actor.kind === "anonymous" || actor.kind === "api_token") {
          throw new UpgradeRefused(401, "The access token is not valid or has expired");
        }
        return { id: actor.userId, role: actor.kind === "admin" ? "admin" : "user", sessionId: null };
      }
      const cookie = request.headers.cookie;
      const token = cookie ? fastifyCookie.parse(cookie)[SESSION_COOKIE] : undefined;
      if (!token) return null;
      const session = await validateSessionToken(db, token, config.accounts.session_days);
      if (!session) throw new UpgradeRefused(401, "Your session has ended; log in again");
      return { id: session.userId, role: session.role, sessionId: session.id };
    },
    authorize(user: ConnectionUser | null, action: string): boolean {
      return can(connectionActor(user), action);
    },
  };
}

export function connectionActor(user: ConnectionUser | null): Actor {
  if (!user) return ANONYMOUS;
  return actorFor(user.id, user.role, user.sessionId ? { kind: "session", sessionId: user.sessionId } : { kind: "access_token" });
}

/** The origin the handshake was addressed to, seen through a trusted proxy when configured. */
function upgradeOrigin(request: IncomingMessage, config: LoadedConfig): { protocol: string; host: string } {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();
  const encrypted = (request.socket as TLSSocket).encrypted === true;
  if (config.http.trust_proxy) {
    return {
      protocol: first(request.headers["x-forwarded-proto"]) ?? (encrypted ? "https" : "http"),
      host: first(request.headers["x-forwarded-host"]) ?? request.headers.host ?? "",
    };
  }
  return { protocol: encrypted ? "https" : "http", host: request.headers.host ?? "" };
}
