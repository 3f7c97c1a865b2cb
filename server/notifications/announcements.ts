/**
 * Last-minute announcements: an organizer writes one, and it reaches every ticket holder
 * of the event (or of one session) in their inbox and by e-mail. The request only stores
 * it and enqueues a job; that job enqueues one delivery job per recipient, keyed by
 * announcement and recipient, so a retry or a restart never delivers one twice.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { attendees } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { JobFailure, type JobRunner } from "../jobs/index.ts";
import type { Notifier } from "./Notifier.ts";

const FAN_OUT_JOB = "notification.announcement";
const DELIVER_JOB = "notification.announcement.deliver";

const idParams = z.object({ id: z.uuid("Not a valid id") });
const announcementBody = z.strictObject({
  subject: z.string().trim().min(3, "Use at least 3 characters").max(150),
  body: z.string().trim().min(1, "Write the announcement").max(5_000),
  sessionId: z.uuid().nullable().default(null),
});

export function registerAnnouncements(app: FastifyInstance, deps: { db: Kysely<DB>; jobs: JobRunner; notifier: Notifier }): void {
  const { db, jobs, notifier } = deps;

  app.post("/api/events/:id/announcements", { config: { action: "event.announce" } }, async (request, reply) => {
    const { id: eventId } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "event.announce", eventId);
    const input = parseBody(announcementBody, request.body);
    if (input.sessionId) {
      const session = await db.selectFrom("event_sessions").select("event_id").where("id", "=", input.sessionId).executeTakeFirst();
      if (session?.event_id !== eventId) throw AppError.badRequest("bad_session", "That session is not part of this event");
    }
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    await db.insertInto("announcements").values({
      id, event_id: eventId, session_id: input.sessionId, author_id: actorUserId(request.actor), subject: input.subject, body: input.body, created_at: createdAt,
    }).execute();
    await jobs.enqueue({ kind: FAN_OUT_JOB, key: `announcement:${id}`, payload: { announcementId: id } });
    return reply.code(202).send({ announcement: { id, ...input, createdAt } });
  });

  app.get("/api/events/:id/announcements", { config: { action: "event.announce" } }, async (request) => {
    const { id: eventId } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "event.announce", eventId);
    const rows = await db.selectFrom("announcements").selectAll().where("event_id", "=", eventId).orderBy("created_at", "desc").limit(100).execute();
    return {
      announcements: rows.map((r) => ({ id: r.id, subject: r.subject, body: r.body, sessionId: r.session_id, recipients: r.recipients, createdAt: r.created_at })),
    };
  });

  const load = async (announcementId: string) => {
    const row = await db
      .selectFrom("announcements as a")
      .innerJoin("events as e", "e.id", "a.event_id")
      .select(["a.id", "a.event_id", "a.session_id", "a.subject", "a.body", "e.title", "e.slug"])
      .where("a.id", "=", announcementId)
      .executeTakeFirst();
    if (!row) throw JobFailure.permanent("the announcement is gone");
    return row;
  };

  jobs.define(FAN_OUT_JOB, {
    schema: z.object({ announcementId: z.string() }),
    async handle({ announcementId }) {
      const a = await load(announcementId);
      const { userIds, emailsWithoutAccount } = await attendees(db, a.event_id, a.session_id);
      for (const userId of userIds) {
        await jobs.enqueue({ kind: DELIVER_JOB, key: `announcement:${a.id}:${userId}`, payload: { announcementId: a.id, userId } });
      }
      for (const guest of emailsWithoutAccount) {
        await jobs.enqueue({ kind: DELIVER_JOB, key: `announcement:${a.id}:${guest.email}`, payload: { announcementId: a.id, guest } });
      }
      await db.updateTable("announcements").set({ recipients: userIds.length + emailsWithoutAccount.length }).where("id", "=", a.id).execute();
    },
  });

  jobs.define(DELIVER_JOB, {
    schema: z.object({ announcementId: z.string(), userId: z.string().optional(), guest: z.object({ email: z.string(), name: z.string() }).optional() }),
    async handle(payload, context) {
      const a = await load(payload.announcementId);
      const message = { title: a.subject, body: a.body, brand: a.title, link: `/events/${a.slug}`, linkLabel: `Open ${a.title}` };
      if (payload.userId) {
        await notifier.notify({ ...message, userId: payload.userId, kind: "announcement", eventId: a.event_id, dedupeKey: context.key ?? undefined });
      } else if (payload.guest) {
        await notifier.emailGuest(payload.guest, message);
      }
    },
  });
}
