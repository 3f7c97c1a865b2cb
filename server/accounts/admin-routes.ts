/**
 * Admin user management: find and view users, change their role, ban and unban them,
 * force a password reset; read the audit log and the mail outbox. Every change is
 * written to the audit log in the same transaction as the change itself.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import type { User } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { redactSecrets } from "../mail/redact.ts";
import { Banned, Unauthorized } from "../realtime/close-codes.ts";
import { accessLost } from "./access-signals.ts";
import { actorUserId } from "./actor.ts";
import { listAudit, recordAudit } from "./audit.ts";
import { type AccountDeps, publicBaseUrl } from "./context.ts";
import { issueEmailToken } from "./email-tokens.ts";
import { listSessions, revokeAllSessions } from "./sessions.ts";
import { accountView, countAdmins, requireUser } from "./users.ts";

const idParams = z.strictObject({ id: z.uuid("Not a valid id") });
const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

/** The fields an admin action can change, as the audit log records them. */
function auditView(user: User) {
  return { role: user.role, bannedAt: user.banned_at, banReason: user.ban_reason };
}

export function adminRoutes(app: FastifyInstance, deps: AccountDeps) {
  const { db, mailer, config } = deps;

  app.get("/api/admin/users", { config: { action: "admin.users.list" } }, async (request) => {
    const query = parseBody(
      z.strictObject({
        q: z.string().trim().max(254).optional(),
        role: z.enum(["user", "admin"]).optional(),
        banned: z.enum(["true", "false"]).optional(),
        ...pageQuery,
      }),
      request.query,
    );
    let select = db.selectFrom("users");
    if (query.q) {
      const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // ESCAPE is standard SQL: the same text runs on SQLite and PostgreSQL.
      select = select.where((eb) =>
        eb.or([sql<boolean>`email like ${like} escape '\\'`, sql<boolean>`lower(display_name) like ${like} escape '\\'`]),
      );
    }
    if (query.role) select = select.where("role", "=", query.role);
    if (query.banned) select = select.where("banned_at", query.banned === "true" ? "is not" : "is", null);
    const [rows, total] = await Promise.all([
      select.selectAll().orderBy("created_at", "desc").orderBy("id").limit(query.limit).offset(query.offset).execute(),
      select.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { users: rows.map(accountView), total: Number(total.n) };
  });

  app.get("/api/admin/users/:id", { config: { action: "admin.users.read" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const user = await requireUser(db, id);
    return { user: accountView(user), sessions: await listSessions(db, id) };
  });

  app.post("/api/admin/users/:id/role", { config: { action: "admin.users.setRole" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const { role } = parseBody(z.strictObject({ role: z.enum(["user", "admin"]) }), request.body);
    const roleBefore = (await requireUser(db, id)).role;
    const user = await db.transaction().execute(async (trx) => {
      const before = await requireUser(trx, id);
      if (before.role === role) return before;
      if (before.role === "admin" && (await countAdmins(trx)) <= 1) {
        throw AppError.conflict("last_admin", "This is the only admin; make someone else admin first");
      }
      await trx.updateTable("users").set({ role, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
      const after = await requireUser(trx, id);
      await recordAudit(trx, request.actor, request.ip, {
        action: "admin.users.setRole", targetType: "user", targetId: id, before: auditView(before), after: auditView(after),
      });
      return after;
    });
    // Open sockets carry the role they were opened with; they reconnect with the new one.
    if (user.role !== roleBefore) deps.sockets.closeUser(id, Unauthorized);
    return { user: accountView(user) };
  });

  app.post("/api/admin/users/:id/ban", { config: { action: "admin.users.ban" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const { reason } = parseBody(
      z.strictObject({ reason: z.string().trim().min(1, "Say why; the user is shown this").max(500, "Use at most 500 characters") }),
      request.body,
    );
    if (id === actorUserId(request.actor)) throw AppError.conflict("ban_self", "You cannot ban yourself");
    const result = await db.transaction().execute(async (trx) => {
      const before = await requireUser(trx, id);
      if (before.role === "admin" && before.banned_at === null && (await countAdmins(trx)) <= 1) {
        throw AppError.conflict("last_admin", "This is the only admin");
      }
      await trx.updateTable("users").set({ banned_at: new Date().toISOString(), ban_reason: reason, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
      const ended = await revokeAllSessions(trx, id);
      await trx.deleteFrom("refresh_tokens").where("user_id", "=", id).execute();
      const after = await requireUser(trx, id);
      await recordAudit(trx, request.actor, request.ip, {
        action: "admin.users.ban", targetType: "user", targetId: id, before: auditView(before), after: auditView(after),
      });
      return { after, ended };
    });
    // After the commit: the sockets close only once the ban is certain.
    const socketsClosed = deps.sockets.closeUser(id, Banned);
    // Room presence (the media peer, its transports) and anything else the account held.
    accessLost({ userId: id, eventId: null, reason: "banned" });
    request.log.info({ userId: id, sessionsEnded: result.ended.length, socketsClosed }, "user banned");
    return { user: accountView(result.after), sessionsEnded: result.ended.length, socketsClosed };
  });

  app.post("/api/admin/users/:id/unban", { config: { action: "admin.users.unban" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const user = await db.transaction().execute(async (trx) => {
      const before = await requireUser(trx, id);
      if (before.banned_at === null) return before;
      await trx.updateTable("users").set({ banned_at: null, ban_reason: null, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
      const after = await requireUser(trx, id);
      await recordAudit(trx, request.actor, request.ip, {
        action: "admin.users.unban", targetType: "user", targetId: id, before: auditView(before), after: auditView(after),
      });
      return after;
    });
    return { user: accountView(user) };
  });

  app.post("/api/admin/users/:id/force-password-reset", { config: { action: "admin.users.forcePasswordReset" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const base = await publicBaseUrl(deps, request);
    const { user, token, ended } = await db.transaction().execute(async (trx) => {
      const before = await requireUser(trx, id);
      // The old password stops working at once; only the e-mailed link sets a new one.
      await trx.updateTable("users").set({ password_hash: null, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
      const ended = await revokeAllSessions(trx, id);
      await trx.deleteFrom("refresh_tokens").where("user_id", "=", id).execute();
      const token = await issueEmailToken(trx, id, before.email, "reset_password", config.accounts.reset_link_minutes * 60_000);
      await recordAudit(trx, request.actor, request.ip, {
        action: "admin.users.forcePasswordReset", targetType: "user", targetId: id,
        before: { hasPassword: before.password_hash !== null }, after: { hasPassword: false },
      });
      return { user: before, token, ended };
    });
    deps.sockets.closeUser(id, Unauthorized);
    await mailer.send(user.email, "reset_password", {
      displayName: user.display_name,
      link: `${base}/reset-password?token=${token}`,
      minutes: config.accounts.reset_link_minutes,
      forced: true,
    });
    return reply.code(202).send({ status: "reset_sent", sessionsEnded: ended.length });
  });

  app.get("/api/admin/audit", { config: { action: "admin.audit.read" } }, async (request) => {
    const query = parseBody(
      z.strictObject({ targetId: z.string().max(64).optional(), before: z.iso.datetime().optional(), limit: pageQuery.limit }),
      request.query,
    );
    return { entries: await listAudit(db, query) };
  });

  app.get("/api/admin/outbox", { config: { action: "admin.outbox.read" } }, async (request) => {
    const query = parseBody(z.strictObject({ to: z.string().trim().toLowerCase().max(254).optional(), ...pageQuery }), request.query);
    let select = db.selectFrom("outbox").selectAll().orderBy("created_at", "desc").orderBy("id").limit(query.limit).offset(query.offset);
    if (query.to) select = select.where("to_address", "=", query.to);
    const rows = await select.execute();
    // Bodies are shown with their links' secrets masked (mail/redact.ts); who read which is audited.
    if (rows.length > 0) {
      await recordAudit(db, request.actor, request.ip, {
        action: "admin.outbox.read", targetType: "outbox", targetId: null, after: { to: query.to ?? null, messageIds: rows.map((r) => r.id) },
      });
    }
    return {
      redacted: true,
      messages: rows.map((r) => ({
        id: r.id, createdAt: r.created_at, to: r.to_address, template: r.template, subject: r.subject,
        text: redactSecrets(r.text_body), html: redactSecrets(r.html_body), status: r.status, sentAt: r.sent_at, error: r.error,
      })),
    };
  });
}
