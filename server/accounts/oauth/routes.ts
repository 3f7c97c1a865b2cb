/**
 * Log-in with an OAuth or OpenID Connect provider. The start route keeps the state and the
 * PKCE verifier in a short-lived HttpOnly cookie and sends the browser to the provider;
 * the callback checks the state against the cookie (so a forged callback is refused),
 * exchanges the code, finds or creates the account, and starts a session.
 */
import { timingSafeEqual } from "node:crypto";
import { generateCodeVerifier, generateState } from "arctic";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fastifyCookie } from "@fastify/cookie";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { parseBody } from "../../http/validate.ts";
import { actorSessionId, actorUserId } from "../actor.ts";
import { type AccountDeps, publicBaseUrl, sessionClient } from "../context.ts";
import { setSessionCookie } from "../http-auth.ts";
import { createSession, revokeSession } from "../sessions.ts";
import { requireUser } from "../users.ts";
import { OAuthRefused, resolveOAuthUser } from "./link.ts";
import { enabledProviders, PROVIDER_IDS, type ProviderId } from "./providers.ts";

const FLOW_COOKIE = "plenary_oauth";
const FLOW_PATH = "/api/auth/oauth";
const FLOW_SECONDS = 600;

const flowSchema = z.object({ provider: z.enum(PROVIDER_IDS), state: z.string(), verifier: z.string(), returnTo: z.string() });
type Flow = z.infer<typeof flowSchema>;

/** Only paths on this site: an open redirect would hand the session to a phishing page. */
const returnToSchema = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[^\s]*$/, "Give a path on this site, e.g. /events")
  .default("/");

export function oauthRoutes(app: FastifyInstance, deps: AccountDeps) {
  const providers = enabledProviders(deps.config.oauth);
  const providerParams = z.strictObject({ provider: z.enum(PROVIDER_IDS) });
  const providerFor = (params: unknown) => {
    const { provider } = parseBody(providerParams, params);
    const found = providers.get(provider);
    if (!found) throw AppError.notFound(`Log-in with ${provider} is not enabled on this server`);
    return found;
  };
  const redirectUri = async (request: FastifyRequest, provider: ProviderId) =>
    `${await publicBaseUrl(deps, request)}/api/auth/oauth/${provider}/callback`;

  app.get("/api/auth/oauth/providers", { config: { action: "account.oauth.providers" } }, async () => ({
    providers: [...providers.values()].map((p) => ({ id: p.id, name: p.name, startUrl: `/api/auth/oauth/${p.id}/start` })),
  }));

  app.get("/api/auth/oauth/:provider/start", { config: { action: "account.oauth.start" } }, async (request, reply) => {
    const provider = providerFor(request.params);
    const { returnTo } = parseBody(z.object({ returnTo: returnToSchema }), request.query);
    const flow: Flow = { provider: provider.id, state: generateState(), verifier: generateCodeVerifier(), returnTo };
    const url = await provider.authorizationUrl(await redirectUri(request, provider.id), flow.state, flow.verifier);
    reply.setCookie(FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString("base64url"), {
      path: FLOW_PATH,
      httpOnly: true,
      // Lax: the provider sends the browser back with a top-level GET, which carries it.
      sameSite: "lax",
      secure: request.protocol === "https",
      maxAge: FLOW_SECONDS,
    });
    return reply.redirect(url.toString(), 302);
  });

  app.get("/api/auth/oauth/:provider/callback", { config: { action: "account.oauth.callback" } }, async (request, reply) => {
    const provider = providerFor(request.params);
    const query = parseBody(
      z.object({ code: z.string().max(2_000).optional(), state: z.string().max(500).optional(), error: z.string().max(200).optional() }),
      request.query,
    );
    const flow = readFlow(request);
    reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
    const fail = (code: string, reason?: string | null) => {
      const target = new URLSearchParams({ oauthError: code, ...(reason ? { reason } : {}) });
      return reply.redirect(`/log-in?${target}`, 303);
    };
    if (query.error) return fail("provider_refused");
    if (!flow || flow.provider !== provider.id || !query.state || !query.code || !sameText(flow.state, query.state)) {
      request.log.warn({ provider: provider.id }, "oauth callback with a missing or wrong state");
      return fail("invalid_state");
    }
    let identity;
    try {
      identity = await provider.identify(await redirectUri(request, provider.id), query.code, flow.verifier);
    } catch (error) {
      request.log.warn({ err: error, provider: provider.id }, "oauth code exchange failed");
      return fail("provider_error");
    }
    let resolution;
    try {
      resolution = await resolveOAuthUser(deps.db, provider.id, identity, actorUserId(request.actor));
    } catch (error) {
      if (error instanceof OAuthRefused) return fail(error.code, error.detail);
      throw error;
    }
    const { user, created, linked } = resolution;
    request.log.info({ userId: user.id, provider: provider.id, created, linked }, "oauth log-in");
    await startSession(deps, request, reply, user.id);
    return reply.redirect(flow.returnTo, 303);
  });

  app.get("/api/account/oauth", { config: { action: "account.oauth.list" } }, async (request) => {
    const rows = await deps.db
      .selectFrom("oauth_accounts")
      .select(["provider", "email", "created_at"])
      .where("user_id", "=", actorUserId(request.actor)!)
      .execute();
    return { accounts: rows.map((r) => ({ provider: r.provider, email: r.email, linkedAt: r.created_at })) };
  });

  app.delete("/api/account/oauth/:provider", { config: { action: "account.oauth.unlink" } }, async (request, reply) => {
    const { provider } = parseBody(providerParams, request.params);
    const userId = actorUserId(request.actor)!;
    await deps.db.transaction().execute(async (trx) => {
      const user = await requireUser(trx, userId);
      const links = await trx.selectFrom("oauth_accounts").select("provider").where("user_id", "=", userId).execute();
      if (!links.some((l) => l.provider === provider)) throw AppError.notFound("That provider is not linked to your account");
      if (user.password_hash === null && links.length === 1) {
        throw AppError.conflict("last_login_method", "Set a password first (reset it by e-mail), or you could not log in any more");
      }
      await trx.deleteFrom("oauth_accounts").where("user_id", "=", userId).where("provider", "=", provider).execute();
    });
    return reply.code(204).send();
  });
}

async function startSession(deps: AccountDeps, request: FastifyRequest, reply: FastifyReply, userId: string) {
  const previous = actorSessionId(request.actor);
  if (previous) await revokeSession(deps.db, actorUserId(request.actor)!, previous);
  const session = await createSession(deps.db, userId, sessionClient(request), deps.config.accounts.session_days);
  setSessionCookie(request, reply, session.token, session.expiresAt);
}

function readFlow(request: FastifyRequest): Flow | null {
  const raw = request.headers.cookie ? fastifyCookie.parse(request.headers.cookie)[FLOW_COOKIE] : undefined;
  if (!raw) return null;
  try {
    const parsed = flowSchema.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
