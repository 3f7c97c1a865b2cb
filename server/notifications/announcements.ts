/**
 * Last-minute announcements: an organizer writes one, and it reaches every ticket holder
 * of the event (or of one session) in their inbox and by e-mail. The request only stores
 * it and enqueues a job; that job walks the recipients and writes, per address, a row in
 * `announcement_deliveries` in the same transaction as the inbox and outbox rows, so a job
 * that fails part-way (or a runner that dies) and runs again mails nobody twice.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { attendees } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { JobFailure, type JobRunner } from "../jobs/index.ts";
import type { Notifier } from "./Notifier.ts";

const ANNOUNCEMENT_JOB = "notification.announcement";

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
    await jobs.enqueue({ kind: ANNOUNCEMENT_JOB, key: `announcement:${id}`, payload: { announcementId: id } });
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

  jobs.define(ANNOUNCEMENT_JOB, {
    schema: z.object({ announcementId: z.string() }),
    async handle({ announcementId }) {
      const a = await load(announcementId);
      const people = await recipients(db, a.event_id, a.session_id);
      await db.updateTable("announcements").set({ recipients: people.length }).where("id", "=", a.id).execute();
      // A retry skips everyone an earlier attempt reached (each delivery commits with its mail).
      const reached = new Set((await db.selectFrom("announcement_deliveries").select("address").where("announcement_id", "=", a.id).execute()).map((r) => r.address));
      const message = { title: a.subject, body: a.body, brand: a.title, link: `/events/${a.slug}`, linkLabel: `Open ${a.title}` };
      for (const person of people) {
        if (reached.has(person.address)) continue;
        const claim = {
          stillTrue: async (trx: Transaction<DB>) => (await trx.insertInto("announcement_deliveries")
            .values({ announcement_id: a.id, address: person.address, user_id: person.userId, outbox_id: null, delivered_at: new Date().toISOString() })
            .onConflict((oc) => oc.columns(["announcement_id", "address"]).doNothing()).returning("address").executeTakeFirst()) !== undefined,
          record: (trx: Transaction<DB>, delivery: { outboxId: string | null }) => trx.updateTable("announcement_deliveries")
            .set({ outbox_id: delivery.outboxId }).where("announcement_id", "=", a.id).where("address", "=", person.address).execute().then(() => undefined),
        };
        if (person.userId) {
          await notifier.notify({ ...message, userId: person.userId, kind: "announcement", eventId: a.event_id, dedupeKey: `announcement:${a.id}:${person.userId}` }, claim);
        } else {
          await notifier.emailGuest({ email: person.address, name: person.name }, message, claim);
        }
      }
    },
  });
}

/** Everyone the announcement is for, one per address, in address order (so a retry walks the same list). */
async function recipients(db: Kysely<DB>, eventId: string, sessionId: string | null) {
  const { userIds, emailsWithoutAccount } = await attendees(db, eventId, sessionId);
  const users = userIds.length ? await db.selectFrom("users").select(["id", "email", "display_name"]).where("id", "in", userIds).execute() : [];
  const byAddress = new Map<string, { address: string; name: string; userId: string | null }>();
  for (const guest of emailsWithoutAccount) byAddress.set(guest.email, { address: guest.email, name: guest.name, userId: null });
  // An account holder's inbox wins over a guest ticket sent to the same address.
  for (const user of users) byAddress.set(user.email.toLowerCase(), { address: user.email.toLowerCase(), name: user.display_name, userId: user.id });
  return [...byAddress.values()].sort((x, y) => (x.address < y.address ? -1 : 1));
}
