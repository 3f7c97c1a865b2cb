/**
 * Invitations to rate, as durable jobs: one per session and per event, due when it ends,
 * keyed by its end time (`feedback-invite:<type>:<id>:<endsAt>`), so a target that moves gets
 * a new job and the stale one skips itself. The job tells each attendee in-app and by e-mail
 * through the notifier (the outbox); the notification's dedupe key is per target and person,
 * so a retried or repeated job never invites anyone twice. A sweep plans the jobs for what
 * ends within the next week, so no events code has to call in.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { attendees } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/index.ts";
import type { Logger } from "../log.ts";
import type { Notifier } from "../notifications/Notifier.ts";

export const INVITE_JOB = "feedback.invite";
const payloadSchema = z.object({ targetType: z.enum(["event", "session"]), targetId: z.string(), endsAt: z.string() });
type InvitePayload = z.infer<typeof payloadSchema>;

const inviteKey = (p: InvitePayload) => `feedback-invite:${p.targetType}:${p.targetId}:${p.endsAt}`;

/** Plans invitation jobs for events and sessions ending between a day ago and a week ahead. */
export async function planFeedbackInvitations(db: Kysely<DB>, jobs: JobRunner, now = new Date()): Promise<number> {
  const from = new Date(now.getTime() - 86_400_000).toISOString();
  const to = new Date(now.getTime() + 7 * 86_400_000).toISOString();
  const [events, sessions] = await Promise.all([
    db.selectFrom("events").select(["id", "ends_at"]).where("status", "=", "approved").where("ends_at", ">", from).where("ends_at", "<", to).execute(),
    db
      .selectFrom("event_sessions as s")
      .innerJoin("events as e", "e.id", "s.event_id")
      .select(["s.id", "s.ends_at"])
      .where("e.status", "=", "approved")
      .where("s.ends_at", ">", from)
      .where("s.ends_at", "<", to)
      .execute(),
  ]);
  let planned = 0;
  const targets: InvitePayload[] = [
    ...events.map((e) => ({ targetType: "event" as const, targetId: e.id, endsAt: e.ends_at })),
    ...sessions.map((s) => ({ targetType: "session" as const, targetId: s.id, endsAt: s.ends_at })),
  ];
  for (const payload of targets) {
    const { outcome } = await jobs.enqueue({ kind: INVITE_JOB, key: inviteKey(payload), runAt: new Date(payload.endsAt), payload });
    if (outcome === "created") planned += 1;
  }
  return planned;
}

/**
 * The organizer's "ask for feedback now": invitation jobs, due at once, for the event and
 * each of its sessions that has ended. Same keys as the sweep, so nobody is asked twice.
 */
export async function inviteEndedNow(db: Kysely<DB>, jobs: JobRunner, eventId: string, now = new Date()): Promise<number> {
  const at = now.toISOString();
  const [event, sessions] = await Promise.all([
    db.selectFrom("events").select(["id", "ends_at"]).where("id", "=", eventId).where("ends_at", "<=", at).executeTakeFirst(),
    db.selectFrom("event_sessions").select(["id", "ends_at"]).where("event_id", "=", eventId).where("ends_at", "<=", at).execute(),
  ]);
  const targets: InvitePayload[] = [
    ...(event ? [{ targetType: "event" as const, targetId: event.id, endsAt: event.ends_at }] : []),
    ...sessions.map((s) => ({ targetType: "session" as const, targetId: s.id, endsAt: s.ends_at })),
  ];
  for (const payload of targets) await jobs.enqueue({ kind: INVITE_JOB, key: inviteKey(payload), runAt: now, payload });
  return targets.length;
}

export function defineInviteJob(jobs: JobRunner, deps: { db: Kysely<DB>; notifier: Notifier }): void {
  const { db, notifier } = deps;
  jobs.define(INVITE_JOB, {
    schema: payloadSchema,
    async handle(payload, context) {
      const target =
        payload.targetType === "event"
          ? await db.selectFrom("events").select(["id as eventId", "title", "ends_at", "status", "slug", "title as eventTitle"]).where("id", "=", payload.targetId).executeTakeFirst()
          : await db
              .selectFrom("event_sessions as s")
              .innerJoin("events as e", "e.id", "s.event_id")
              .select(["s.event_id as eventId", "s.title", "s.ends_at", "e.status", "e.slug", "e.title as eventTitle"])
              .where("s.id", "=", payload.targetId)
              .executeTakeFirst();
      if (!target || target.status !== "approved" || target.ends_at !== payload.endsAt) {
        context.log.info({ ...payload }, "feedback invitation skipped: the target changed");
        return;
      }
      const { userIds } = await attendees(db, target.eventId, payload.targetType === "session" ? payload.targetId : null);
      const now = new Date().toISOString();
      for (const userId of userIds) {
        await notifier.notify({
          userId,
          kind: "event_update",
          eventId: target.eventId,
          brand: target.eventTitle,
          dedupeKey: `feedback-invite:${payload.targetType}:${payload.targetId}:${userId}`,
          title: `How was ${target.title}?`,
          body: `${target.title} has ended. Rate it, its speakers and the organizer: it takes a minute and helps the next edition.`,
          link: `/events/${target.slug}/feedback`,
          linkLabel: "Rate it",
        });
        await db.insertInto("feedback_invitations").values({ target_type: payload.targetType, target_id: payload.targetId, user_id: userId, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
      }
    },
  });
}

export function startInvitationSweep(db: Kysely<DB>, jobs: JobRunner, log: Logger, everyMs = 5 * 60_000): () => void {
  const run = () => void planFeedbackInvitations(db, jobs).catch((error: unknown) => log.warn({ err: error }, "feedback invitation sweep failed"));
  const first = setTimeout(run, 1_000).unref();
  const timer = setInterval(run, everyMs).unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
