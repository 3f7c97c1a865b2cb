/**
 * Authentication at the HTTP boundary: one hook turns the session cookie or a bearer token
 * into the request's actor, rejects cross-site state changes (Origin check), and asks the
 * policy whether the actor may attempt the route's action before any handler runs.
 */
import { fastifyCookie } from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { getSetting } from "../settings.ts";
import { ANONYMOUS, type Actor, actorFor } from "./actor.ts";
import { verifyApiToken, API_TOKEN_PREFIX } from "./api-tokens.ts";
import { can } from "./policy.ts";
import { SESSION_COOKIE, validateSessionToken } from "./sessions.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is calling; anonymous until the auth hook has run (only /api routes). */
    actor: Actor;
  }
}

/** Verifies a JWT access token; installed once the signing keys are loaded. */
export type AccessTokenVerifier = (token: string) => Promise<Actor | null>;

export type AuthOptions = {
  config: LoadedConfig;
  db: Kysely<DB>;
  verifyAccessToken?: AccessTokenVerifier;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const { config, db } = options;
  app.register(fastifyCookie);
  app.decorateRequest<Actor, "actor">("actor", null as unknown as Actor);

  app.addHook("onRequest", async (request, reply) => {
    request.actor = ANONYMOUS;
    if (!request.url.startsWith("/api/")) return;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      request.actor = await bearerActor(authorization, options);
    } else {
      // Parsed here rather than by the cookie plugin's own hook, which would run after this one.
      const token = request.headers.cookie ? fastifyCookie.parse(request.headers.cookie)[SESSION_COOKIE] : undefined;
      if (token) {
        const session = await validateSessionToken(db, token, config.accounts.session_days);
        if (session) {
          request.actor = actorFor(session.userId, session.role, { kind: "session", sessionId: session.id });
          // The cookie follows the sliding expiry.
          if (session.renewed) setSessionCookie(request, reply, token, session.expiresAt);
        } else {
          clearSessionCookie(request, reply);
        }
      }
      if (!SAFE_METHODS.has(request.method)) await checkOrigin(request, config, db, token !== undefined);
    }
    const action = request.routeOptions.config.action;
    if (action === undefined) return;
    if (!can(request.actor, action)) {
      throw request.actor.kind === "anonymous"
        ? AppError.unauthorized()
        : AppError.forbidden("forbidden", "You may not do that");
    }
  });
}

async function bearerActor(header: string, options: AuthOptions): Promise<Actor> {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw AppError.unauthorized("Send the token as: Authorization: Bearer <token>");
  const token = match[1];
  const actor = token.startsWith(API_TOKEN_PREFIX)
    ? await verifyApiToken(options.db, token)
    : ((await options.verifyAccessToken?.(token)) ?? null);
  if (!actor) throw AppError.unauthorized("The token is not valid or has expired");
  return actor;
}

/**
 * Browsers send Origin with every cross-site state-changing request. A request that
 * carries the session cookie must come from our own origin; one that does not carry it
 * is checked only when it names an origin (scripts and curl send none, and have no cookie
 * to abuse).
 */
async function checkOrigin(request: FastifyRequest, config: LoadedConfig, db: Kysely<DB>, hasCookie: boolean) {
  const origin = request.headers.origin;
  if (origin === undefined) {
    if (hasCookie) throw AppError.forbidden("bad_origin", "This request must come from the Plenary web app");
    return;
  }
  if (!(await originAllowed(origin, request, config, db))) {
    throw AppError.forbidden("bad_origin", "Requests from other sites are not accepted");
  }
}

/** Our own origin: the one the request was addressed to, or the configured public URL. */
export async function originAllowed(
  origin: string,
  request: { protocol: string; host: string },
  config: LoadedConfig,
  db: Kysely<DB>,
): Promise<boolean> {
  if (origin === `${request.protocol}://${request.host}`) return true;
  const configured = config.http.public_url ?? (await getSetting(db, "public_url"));
  return configured !== null && configured !== undefined && origin === new URL(configured).origin;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    // request.protocol honours X-Forwarded-Proto when http.trust_proxy is on.
    secure: request.protocol === "https",
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "lax", secure: request.protocol === "https" });
}
