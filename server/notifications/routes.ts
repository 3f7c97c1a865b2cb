/**
 * The inbox (list, mark read, live pushes), the unsubscribe link, reminder planning for an
 * event, and the jobs admin API.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { type JobRunner, listJobs } from "../jobs/index.ts";
import type { MessageRouter } from "../realtime/router.ts";
import type { Notifier } from "./Notifier.ts";
import { planEventReminders } from "./reminders.ts";

type Deps = { db: Kysely<DB>; jobs: JobRunner; notifier: Notifier };

export function registerNotificationRoutes(app: FastifyInstance, router: MessageRouter, deps: Deps): void {
  const { db, jobs, notifier } = deps;
  const me = (request: { actor: Parameters<typeof actorUserId>[0] }) => actorUserId(request.actor)!;

  app.get("/api/notifications", { config: { action: "notification.read" } }, async (request) => {
    const query = parseBody(z.object({ before: z.iso.datetime().optional(), limit: z.coerce.number().int().min(1).max(100).default(30) }), request.query);
    let rows = db.selectFrom("notifications").select(["id", "kind", "title", "body", "link", "created_at", "read_at"])
      .where("user_id", "=", me(request)).where("in_app", "=", 1);
    if (query.before) rows = rows.where("created_at", "<", query.before);
    const list = await rows.orderBy("created_at", "desc").orderBy("id").limit(query.limit).execute();
    return {
      notifications: list.map((n) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, createdAt: n.created_at, readAt: n.read_at })),
      unread: await notifier.unreadCount(me(request)),
    };
  });

  app.post("/api/notifications/read", { config: { action: "notification.manage" } }, async (request) => {
    const input = parseBody(z.union([z.strictObject({ ids: z.array(z.uuid()).min(1).max(200) }), z.strictObject({ all: z.literal(true) })]), request.body);
    let update = db.updateTable("notifications").set({ read_at: new Date().toISOString() }).where("user_id", "=", me(request)).where("read_at", "is", null);
    if ("ids" in input) update = update.where("id", "in", input.ids);
    await update.execute();
    return { unread: await notifier.unreadCount(me(request)) };
  });

  // Works without logging in: the signed token names the user and the kind of mail.
  app.post("/api/notifications/unsubscribe", { config: { action: "notification.unsubscribe" } }, async (request) => {
    const { token } = parseBody(z.strictObject({ token: z.string().min(10).max(400) }), request.body);
    const target = await notifier.readUnsubscribeToken(token);
    if (!target) throw AppError.badRequest("bad_token", "This unsubscribe link is not valid");
    await db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom("users").select("notification_prefs").where("id", "=", target.userId).executeTakeFirst();
      if (!user) throw AppError.notFound("This account no longer exists");
      const prefs = JSON.parse(user.notification_prefs) as Record<string, Record<string, boolean>>;
      prefs[target.kind] = { ...prefs[target.kind], email: false };
      await trx.updateTable("users").set({ notification_prefs: JSON.stringify(prefs), updated_at: new Date().toISOString() }).where("id", "=", target.userId).execute();
    });
    return { kind: target.kind, email: false };
  });

  router.on("notify.subscribe", {
    schema: z.strictObject({}),
    action: "notification.read",
    access: "user",
    async handle(_, { connection }) {
      if (!connection.user) throw AppError.unauthorized();
      notifier.subscribe(connection);
      return { unread: await notifier.unreadCount(connection.user.id) };
    },
  });

  app.post("/api/events/:id/reminders/plan", { config: { action: "event.update" } }, async (request) => {
    const { id } = parseBody(z.object({ id: z.uuid("Not a valid id") }), request.params);
    await authorizeEvent(db, request.actor, "event.update", id);
    return planEventReminders(db, jobs, id);
  });

  app.get("/api/admin/jobs", { config: { action: "admin.jobs.read" } }, async (request) => {
    const query = parseBody(
      z.object({
        status: z.enum(["queued", "running", "done", "dead"]).optional(),
        kind: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      request.query,
    );
    const { counts, jobs: rows } = await listJobs(db, query);
    return {
      counts,
      jobs: rows.map((j) => ({
        id: j.id, kind: j.kind, key: j.key, status: j.status, runAt: j.run_at, attempts: j.attempts, maxAttempts: j.max_attempts,
        lastError: j.last_error, createdAt: j.created_at, updatedAt: j.updated_at, finishedAt: j.finished_at,
      })),
    };
  });

  app.post("/api/admin/jobs/:id/retry", { config: { action: "admin.jobs.retry" } }, async (request) => {
    const { id } = parseBody(z.object({ id: z.uuid("Not a valid id") }), request.params);
    const at = new Date().toISOString();
    const retried = await db.updateTable("jobs")
      .set({ status: "queued", attempts: 0, run_at: at, locked_by: null, locked_until: null, finished_at: null, updated_at: at })
      .where("id", "=", id).where("status", "=", "dead").executeTakeFirst();
    if (retried.numUpdatedRows === 0n) {
      const exists = await db.selectFrom("jobs").select("status").where("id", "=", id).executeTakeFirst();
      if (!exists) throw AppError.notFound("No such job");
      throw AppError.conflict("not_dead", `Only dead jobs can be retried; this one is ${exists.status}`);
    }
    jobs.wake();
    return { id, status: "queued" };
  });
}
