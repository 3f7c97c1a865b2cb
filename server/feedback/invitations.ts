/**
 * Invitations to rate, as durable jobs: one per session and per event, due when it ends,
 * keyed by its end time (`feedback-invite:<type>:<id>:<endsAt>`). When the end moves, the
 * waiting job is re-planned: the agenda tells us at once about sessions (`targetMoved`),
 * the sweep notices moved events and sessions within five minutes, and a stale job that
 * comes due anyway plans the right one instead of inviting. The job tells each attendee
 * in-app and by e-mail through the notifier (the outbox); the notification's dedupe key is
 * per target and person, so a retried, repeated or re-planned job never invites anyone
 * twice. A sweep plans the jobs for what ends within the next week, so no events code has
 * to call in.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { attendees } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/index.ts";
import type { Logger } from "../log.ts";
import type { Notifier } from "../notifications/Notifier.ts";
import { sessionAttendeeIds } from "./targets.ts";

export const INVITE_JOB = "feedback.invite";
const payloadSchema = z.object({ targetType: z.enum(["event", "session"]), targetId: z.string(), endsAt: z.string() });
type InvitePayload = z.infer<typeof payloadSchema>;

const inviteKey = (p: InvitePayload) => `feedback-invite:${p.targetType}:${p.targetId}:${p.endsAt}`;

type TargetType = InvitePayload["targetType"];
const keyPrefix = (targetType: TargetType, targetId: string) => `feedback-invite:${targetType}:${targetId}:`;

/**
 * Makes the waiting invitation jobs match the targets' current end times: removes waiting
 * jobs planned for another end, and plans the missing ones. Returns how many it planned.
 * Jobs already running or done are left alone (the dedupe key covers a second run).
 */
async function planTargets(db: Kysely<DB>, jobs: JobRunner, targets: InvitePayload[]): Promise<number> {
  if (targets.length === 0) return 0;
  const wanted = new Set(targets.map(inviteKey));
  const prefixes = new Set(targets.map((t) => keyPrefix(t.targetType, t.targetId)));
  const waiting = await db.selectFrom("jobs").select("key").where("kind", "=", INVITE_JOB).where("status", "=", "queued").execute();
  const stale = waiting.flatMap(({ key }) => {
    const prefix = key ? /^feedback-invite:(?:event|session):[^:]+:/.exec(key)?.[0] : undefined;
    return key && prefix && prefixes.has(prefix) && !wanted.has(key) ? [key] : [];
  });
  for (const key of stale) await jobs.cancel(key);
  let planned = 0;
  for (const payload of targets) {
    const { outcome } = await jobs.enqueue({ kind: INVITE_JOB, key: inviteKey(payload), runAt: new Date(payload.endsAt), payload });
    if (outcome === "created") planned += 1;
  }
  return planned;
}

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
  return planTargets(db, jobs, [
    ...events.map((e) => ({ targetType: "event" as const, targetId: e.id, endsAt: e.ends_at })),
    ...sessions.map((s) => ({ targetType: "session" as const, targetId: s.id, endsAt: s.ends_at })),
  ]);
}

/**
 * Re-plans one target's invitation after its times changed (or it was deleted): the waiting
 * job for the old end goes, one for the new end comes, unless the target is gone, not
 * approved, or ended more than a day ago (nobody is invited late by an edit).
 */
export async function targetMoved(db: Kysely<DB>, jobs: JobRunner, targetType: TargetType, targetId: string, now = new Date()): Promise<void> {
  const row =
    targetType === "event"
      ? await db.selectFrom("events").select(["ends_at", "status"]).where("id", "=", targetId).executeTakeFirst()
      : await db.selectFrom("event_sessions as s").innerJoin("events as e", "e.id", "s.event_id").select(["s.ends_at", "e.status"]).where("s.id", "=", targetId).executeTakeFirst();
  const wanted = row && row.status === "approved" && row.ends_at > new Date(now.getTime() - 86_400_000).toISOString() ? inviteKey({ targetType, targetId, endsAt: row.ends_at }) : null;
  const waiting = await db.selectFrom("jobs").select("key").where("kind", "=", INVITE_JOB).where("status", "=", "queued").where("key", "like", `${keyPrefix(targetType, targetId)}%`).execute();
  for (const { key } of waiting) if (key && key !== wanted) await jobs.cancel(key);
  if (row && wanted) await jobs.enqueue({ kind: INVITE_JOB, key: wanted, runAt: new Date(row.ends_at), payload: { targetType, targetId, endsAt: row.ends_at } });
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
        // Moved without anyone telling us (an event's end): plan the job for its new end.
        if (target) await targetMoved(db, jobs, payload.targetType, payload.targetId);
        context.log.info({ ...payload }, "feedback invitation skipped: the target changed");
        return;
      }
      // The event asks its ticket holders; a session only those who attended it.
      const userIds = payload.targetType === "session" ? await sessionAttendeeIds(db, payload.targetId) : (await attendees(db, target.eventId, null)).userIds;
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
