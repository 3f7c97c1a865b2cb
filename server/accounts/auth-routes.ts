/**
 * Signing up, verifying the address, logging in and out, and resetting a forgotten
 * password. Answers never say whether an e-mail address has an account.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { Unauthorized } from "../realtime/close-codes.ts";
import { actorSessionId, actorUserId } from "./actor.ts";
import { type AccountDeps, limitIp, publicBaseUrl, sessionClient } from "./context.ts";
import { checkPassword } from "./credentials.ts";
import { consumeEmailToken, issueEmailToken } from "./email-tokens.ts";
import { clearSessionCookie, setSessionCookie } from "./http-auth.ts";
import { hashPassword, passwordSchema } from "./passwords.ts";
import { createSession, revokeAllSessions, revokeSession } from "./sessions.ts";
import { accountView, createUser, emailSchema, findUserByEmail, newUserSchema, requireUser } from "./users.ts";

const tokenSchema = z.strictObject({ token: z.string().min(10, "The link is incomplete").max(200) });
export const logInSchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1, "Enter your password").max(256),
});

export function authRoutes(app: FastifyInstance, deps: AccountDeps) {
  const { db, config, mailer, throttle } = deps;
  const verifyLifetime = config.accounts.verify_link_hours * 3_600_000;
  const resetLifetime = config.accounts.reset_link_minutes * 60_000;

  app.post("/api/auth/sign-up", { config: { action: "account.signUp" } }, async (request, reply) => {
    limitIp(deps, request);
    const input = parseBody(newUserSchema.strict(), request.body);
    const base = await publicBaseUrl(deps, request);
    const existing = await findUserByEmail(db, input.email);
    if (existing) {
      // Same answer, and the same hashing time, as a new sign-up; the owner of the address
      // learns of the attempt by mail.
      await hashPassword(input.password);
      if (throttle.allowMail(existing.email)) {
        const token = await issueEmailToken(db, existing.id, existing.email, "reset_password", resetLifetime);
        await mailer.send(existing.email, "sign_up_existing", {
          displayName: existing.display_name,
          resetLink: `${base}/reset-password?token=${token}`,
        });
      }
    } else {
      const user = await db.transaction().execute(async (trx) => {
        const created = await createUser(trx, input, "user");
        const token = await issueEmailToken(trx, created.id, created.email, "verify_email", verifyLifetime);
        return { created, token };
      });
      await mailer.send(user.created.email, "verify_email", {
        displayName: user.created.display_name,
        link: `${base}/verify-email?token=${user.token}`,
        hours: config.accounts.verify_link_hours,
      });
      request.log.info({ userId: user.created.id }, "account created");
    }
    return reply.code(202).send({ status: "verification_sent", message: "Check your inbox for a link to confirm your address" });
  });

  app.post("/api/auth/verify-email", { config: { action: "account.verifyEmail" } }, async (request) => {
    const { token } = parseBody(tokenSchema, request.body);
    const user = await db.transaction().execute(async (trx) => {
      const used = await consumeEmailToken(trx, token, "verify_email");
      if (!used) throw AppError.badRequest("invalid_link", "This link has expired or was already used; ask for a new one");
      const current = await requireUser(trx, used.userId);
      // A link sent to an address the account no longer has proves nothing.
      if (current.email !== used.email) throw AppError.badRequest("invalid_link", "This link is for an address you no longer use");
      const now = new Date().toISOString();
      await trx.updateTable("users").set({ email_verified_at: now, updated_at: now }).where("id", "=", used.userId).execute();
      return requireUser(trx, used.userId);
    });
    return { user: accountView(user) };
  });

  app.post("/api/auth/log-in", { config: { action: "account.logIn" } }, async (request, reply) => {
    const input = parseBody(logInSchema, request.body);
    const user = await checkPassword(deps, request, input.email, input.password);
    // A fresh token at every log-in: a session planted before it (fixation) is not reused.
    const previous = actorSessionId(request.actor);
    if (previous) await revokeSession(db, user.id, previous);
    const session = await createSession(db, user.id, sessionClient(request), config.accounts.session_days);
    setSessionCookie(request, reply, session.token, session.expiresAt);
    request.log.info({ userId: user.id, sessionId: session.id }, "logged in");
    return { user: accountView(user) };
  });

  app.post("/api/auth/log-out", { config: { action: "account.logOut" } }, async (request, reply) => {
    const sessionId = actorSessionId(request.actor);
    if (sessionId) {
      await revokeSession(db, actorUserId(request.actor)!, sessionId);
      deps.sockets.closeSessions([sessionId], Unauthorized);
    }
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.post("/api/auth/log-out-everywhere", { config: { action: "account.logOutEverywhere" } }, async (request, reply) => {
    const userId = actorUserId(request.actor)!;
    const ended = await db.transaction().execute(async (trx) => {
      await trx.deleteFrom("refresh_tokens").where("user_id", "=", userId).execute();
      return revokeAllSessions(trx, userId);
    });
    deps.sockets.closeUser(userId, Unauthorized);
    clearSessionCookie(request, reply);
    return reply.code(200).send({ sessionsEnded: ended.length });
  });

  app.post("/api/auth/request-password-reset", { config: { action: "account.requestPasswordReset" } }, async (request, reply) => {
    limitIp(deps, request);
    const { email } = parseBody(z.strictObject({ email: emailSchema }), request.body);
    const user = await findUserByEmail(db, email);
    // Past the per-account limit the answer stays the same; only the mail is not sent.
    if (user && user.banned_at === null && throttle.allowMail(user.email)) {
      const token = await issueEmailToken(db, user.id, user.email, "reset_password", resetLifetime);
      await mailer.send(user.email, "reset_password", {
        displayName: user.display_name,
        link: `${await publicBaseUrl(deps, request)}/reset-password?token=${token}`,
        minutes: config.accounts.reset_link_minutes,
        forced: false,
      });
    }
    return reply.code(202).send({ status: "reset_sent", message: "If this address has an account, a reset link is on its way" });
  });

  app.post("/api/auth/reset-password", { config: { action: "account.resetPassword" } }, async (request) => {
    limitIp(deps, request);
    const input = parseBody(tokenSchema.extend({ password: passwordSchema }), request.body);
    const passwordHash = await hashPassword(input.password);
    const userId = await db.transaction().execute(async (trx) => {
      const used = await consumeEmailToken(trx, input.token, "reset_password");
      if (!used) throw AppError.badRequest("invalid_link", "This link has expired or was already used; ask for a new one");
      const user = await requireUser(trx, used.userId);
      if (user.email !== used.email) throw AppError.badRequest("invalid_link", "This link is for an address you no longer use");
      const now = new Date().toISOString();
      // The link proved the mailbox, so the address counts as verified too.
      await trx
        .updateTable("users")
        .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now, email_verified_at: user.email_verified_at ?? now })
        .where("id", "=", user.id)
        .execute();
      await revokeAllSessions(trx, user.id);
      await trx.deleteFrom("refresh_tokens").where("user_id", "=", user.id).execute();
      return user.id;
    });
    deps.sockets.closeUser(userId, Unauthorized);
    throttle.success((await requireUser(db, userId)).email);
    return { status: "password_reset", message: "Your password is changed; log in with it" };
  });
}
