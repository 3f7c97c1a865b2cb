/**
 * Schedule changes: when a session's times change, its attendees are told (inbox and
 * e-mail) and its reminders re-planned. The times reminders were last planned for are kept
 * per session (planSessionReminders records them; the sweep does so for every upcoming
 * session), so a session never planned only gets its times recorded, and each distinct move
 * is one job (keyed by the new times) whose per-person notifications are deduped.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { attendees } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/index.ts";
import type { Notifier } from "./Notifier.ts";
import { planSessionReminders } from "./reminders.ts";

const SCHEDULE_JOB = "notification.schedule_change";

export type ScheduleDeps = { db: Kysely<DB>; jobs: JobRunner; notifier: Notifier };

/** Call after a session is created or its times may have changed (the events module does). */
export async function sessionRescheduled(deps: ScheduleDeps, sessionId: string): Promise<void> {
  const { db, jobs } = deps;
  // Read before re-planning, which records the new times.
  const known = await db.selectFrom("session_schedules").selectAll().where("session_id", "=", sessionId).executeTakeFirst();
  await planSessionReminders(db, jobs, sessionId);
  const session = await db
    .selectFrom("event_sessions as s")
    .innerJoin("events as e", "e.id", "s.event_id")
    .select(["s.starts_at", "s.ends_at", "e.status"])
    .where("s.id", "=", sessionId)
    .executeTakeFirst();
  if (!session) return;
  const moved = known && (known.starts_at !== session.starts_at || known.ends_at !== session.ends_at);
  // A cancelled event has its own message; a session already over needs none.
  if (!moved || session.status === "cancelled" || new Date(session.ends_at) < new Date()) return;
  await jobs.enqueue({
    kind: SCHEDULE_JOB,
    key: `schedule:${sessionId}:${session.starts_at}:${session.ends_at}`,
    payload: { sessionId, startsAt: session.starts_at, previousStartsAt: known.starts_at },
  });
}

export function defineScheduleJob(deps: ScheduleDeps): void {
  const { db, jobs, notifier } = deps;
  jobs.define(SCHEDULE_JOB, {
    schema: z.object({ sessionId: z.string(), startsAt: z.string(), previousStartsAt: z.string() }),
    async handle(payload, context) {
      const session = await db
        .selectFrom("event_sessions as s")
        .innerJoin("events as e", "e.id", "s.event_id")
        .select(["s.title", "s.starts_at", "s.event_id", "e.title as eventTitle", "e.slug", "e.time_zone"])
        .where("s.id", "=", payload.sessionId)
        .executeTakeFirst();
      // Moved again since: the newer move's job tells the newer time.
      if (!session || session.starts_at !== payload.startsAt) return;
      const format = (iso: string) =>
        new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeStyle: "short", timeZone: session.time_zone }).format(new Date(iso));
      const message = {
        title: `${session.title} has moved`,
        body: `${session.title} (${session.eventTitle}) now starts ${format(payload.startsAt)} (${session.time_zone}), instead of ${format(payload.previousStartsAt)}.`,
        brand: session.eventTitle,
        link: `/events/${session.slug}`,
        linkLabel: "See the programme",
      };
      const { userIds, emailsWithoutAccount } = await attendees(db, session.event_id, payload.sessionId);
      for (const userId of userIds) {
        await notifier.notify({ ...message, userId, kind: "event_update", eventId: session.event_id, dedupeKey: `${context.key}:${userId}` });
      }
      for (const guest of emailsWithoutAccount) await notifier.emailGuest(guest, message);
    },
  });
}
