/**
 * The signed-in user's own account: profile, sessions, password, API tokens, deletion.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { Unauthorized } from "../realtime/close-codes.ts";
import { actorSessionId, actorUserId } from "./actor.ts";
import { createApiToken, listApiTokens, newApiTokenSchema, revokeApiToken } from "./api-tokens.ts";
import { recordAudit } from "./audit.ts";
import { type AccountDeps, limitIp, publicBaseUrl } from "./context.ts";
import { issueEmailToken } from "./email-tokens.ts";
import { clearSessionCookie } from "./http-auth.ts";
import { hashPassword, passwordSchema, verifyOrWaste } from "./passwords.ts";
import { listSessions, revokeAllSessions, revokeSession } from "./sessions.ts";
import { accountView, countAdmins, displayNameSchema, requireUser } from "./users.ts";

const idParams = z.strictObject({ id: z.uuid("Not a valid id") });

const NOTIFICATION_KINDS = ["event_reminder", "event_update", "ticket", "chat_mention", "qa_answer", "announcement"] as const;
const channelPrefs = z.strictObject({ email: z.boolean().optional(), in_app: z.boolean().optional() });

export const profileUpdateSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  bio: z.string().trim().max(2_000, "Use at most 2000 characters").optional(),
  timeZone: z
    .string()
    .refine((tz) => Intl.supportedValuesOf("timeZone").includes(tz) || tz === "UTC", "Choose a time zone from the list")
    .nullable()
    .optional(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "Use a language tag such as en or pt-BR").nullable().optional(),
  interests: z
    .array(z.string().trim().toLowerCase().min(1).max(40, "Keep each interest under 40 characters"))
    .max(30, "Choose at most 30 interests")
    .transform((tags) => [...new Set(tags)])
    .optional(),
  notificationPrefs: z.partialRecord(z.enum(NOTIFICATION_KINDS), channelPrefs).optional(),
});

export function accountRoutes(app: FastifyInstance, deps: AccountDeps) {
  const { db, mailer, config } = deps;
  const me = (request: { actor: Parameters<typeof actorUserId>[0] }) => actorUserId(request.actor)!;

  app.get("/api/account", { config: { action: "account.read" } }, async (request) => ({
    user: accountView(await requireUser(db, me(request))),
  }));

  app.patch("/api/account", { config: { action: "account.update" } }, async (request) => {
    const input = parseBody(profileUpdateSchema, request.body);
    const user = await requireUser(db, me(request));
    const now = new Date().toISOString();
    await db
      .updateTable("users")
      .set({
        display_name: input.displayName,
        bio: input.bio,
        time_zone: input.timeZone,
        language: input.language,
        interests: input.interests ? JSON.stringify(input.interests) : undefined,
        notification_prefs: input.notificationPrefs
          ? JSON.stringify({ ...JSON.parse(user.notification_prefs), ...input.notificationPrefs })
          : undefined,
        updated_at: now,
      })
      .where("id", "=", user.id)
      .execute();
    return { user: accountView(await requireUser(db, user.id)) };
  });

  app.post("/api/account/resend-verification", { config: { action: "account.resendVerification" } }, async (request, reply) => {
    limitIp(deps, request);
    const user = await requireUser(db, me(request));
    if (user.email_verified_at !== null) throw AppError.conflict("already_verified", "Your address is already confirmed");
    const token = await issueEmailToken(db, user.id, user.email, "verify_email", config.accounts.verify_link_hours * 3_600_000);
    await mailer.send(user.email, "verify_email", {
      displayName: user.display_name,
      link: `${await publicBaseUrl(deps, request)}/verify-email?token=${token}`,
      hours: config.accounts.verify_link_hours,
    });
    return reply.code(202).send({ status: "verification_sent" });
  });

  app.get("/api/account/sessions", { config: { action: "account.sessions.list" } }, async (request) => {
    const current = actorSessionId(request.actor);
    const sessions = await listSessions(db, me(request));
    return { sessions: sessions.map((s) => ({ ...s, current: s.id === current })) };
  });

  app.delete("/api/account/sessions/:id", { config: { action: "account.sessions.revoke" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    if (!(await revokeSession(db, me(request), id))) throw AppError.notFound("No such session");
    deps.sockets.closeSessions([id], Unauthorized);
    if (id === actorSessionId(request.actor)) clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.post("/api/account/password", { config: { action: "account.changePassword" } }, async (request) => {
    const input = parseBody(
      z.strictObject({ currentPassword: z.string().min(1, "Enter your current password").max(256), newPassword: passwordSchema }),
      request.body,
    );
    const user = await requireUser(db, me(request));
    if (!(await verifyOrWaste(user.password_hash, input.currentPassword))) {
      throw AppError.forbidden("wrong_password", "Your current password is not right");
    }
    const passwordHash = await hashPassword(input.newPassword);
    const keep = actorSessionId(request.actor) ?? undefined;
    const ended = await db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      await trx.updateTable("users").set({ password_hash: passwordHash, password_changed_at: now, updated_at: now }).where("id", "=", user.id).execute();
      await trx.deleteFrom("refresh_tokens").where("user_id", "=", user.id).execute();
      return revokeAllSessions(trx, user.id, keep);
    });
    deps.sockets.closeSessions(ended, Unauthorized);
    await mailer.send(user.email, "password_changed", { displayName: user.display_name });
    return { status: "password_changed", otherSessionsEnded: ended.length };
  });

  app.delete("/api/account", { config: { action: "account.delete" } }, async (request, reply) => {
    const { password } = parseBody(z.strictObject({ password: z.string().min(1, "Enter your password to confirm").max(256) }), request.body);
    const user = await requireUser(db, me(request));
    if (!(await verifyOrWaste(user.password_hash, password))) {
      throw AppError.forbidden("wrong_password", "Your password is not right");
    }
    await db.transaction().execute(async (trx) => {
      if (user.role === "admin" && (await countAdmins(trx)) <= 1) {
        throw AppError.conflict("last_admin", "You are the only admin; make someone else admin before deleting your account");
      }
      // Sessions, tokens, memberships and OAuth links go with the row (ON DELETE CASCADE).
      await trx.deleteFrom("users").where("id", "=", user.id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "account.delete", targetType: "user", targetId: user.id });
    });
    deps.sockets.closeUser(user.id, Unauthorized);
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get("/api/account/api-tokens", { config: { action: "account.apiTokens.manage" } }, async (request) => ({
    tokens: await listApiTokens(db, me(request)),
  }));

  app.post("/api/account/api-tokens", { config: { action: "account.apiTokens.manage" } }, async (request, reply) => {
    const input = parseBody(newApiTokenSchema, request.body);
    const user = await requireUser(db, me(request));
    if (input.scopes.includes("admin") && user.role !== "admin") {
      throw AppError.forbidden("forbidden", "Only admins may create tokens with the admin scope");
    }
    return reply.code(201).send(await createApiToken(db, user.id, input));
  });

  app.delete("/api/account/api-tokens/:id", { config: { action: "account.apiTokens.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    if (!(await revokeApiToken(db, me(request), id))) throw AppError.notFound("No such token");
    return reply.code(204).send();
  });
}
