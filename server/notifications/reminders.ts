/**
 * Session reminders as durable jobs: one per attendee, session and offset (the event's
 * `reminder_offsets`, default 24 h and 1 h before), keyed `reminder:<session>:<user>:<minutes>`
 * so planning twice changes nothing. Re-planning after a session moves replaces the waiting
 * jobs' times; a reminder already sent (its job done) is never sent again, and the job's key
 * doubles as the notification's dedupe key, so a runner that dies after sending does not
 * send it a second time either.
 */
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { attendees } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/index.ts";
import type { Logger } from "../log.ts";
import type { Notifier } from "./Notifier.ts";

export const REMINDER_JOB = "notification.reminder";
const DEFAULT_OFFSETS = [1_440, 60];

/** Keyed by the start time too: a move makes new keys, so a reminder running for the old time never blocks the new one. */
const reminderKey = (sessionId: string, userId: string, minutes: number, startsAt: string) => `reminder:${sessionId}:${userId}:${minutes}:${startsAt}`;

export type ReminderPlan = { planned: number; cancelled: number };

/**
 * (Re-)plans every reminder of one session: call it after a session's time changes, a
 * session or event is cancelled, or tickets change. Reminders whose time has passed are
 * not planned; waiting ones that no longer apply (the session moved past them, the ticket
 * was refunded, the event was cancelled) are cancelled.
 */
export function planSessionReminders(db: Kysely<DB>, jobs: JobRunner, sessionId: string, now = new Date()): Promise<ReminderPlan> {
  // One transaction from reading the session to the last job written: a move committed in
  // between cannot leave reminders planned for the old time, or cancel the new ones.
  return db.transaction().execute((trx) => planInTransaction(trx, jobs, sessionId, now));
}

async function planInTransaction(db: Transaction<DB>, jobs: JobRunner, sessionId: string, now: Date): Promise<ReminderPlan> {
  const session = await db
    .selectFrom("event_sessions as s")
    .innerJoin("events as e", "e.id", "s.event_id")
    .select(["s.id", "s.event_id", "s.starts_at", "s.ends_at", "e.status", "e.reminder_offsets"])
    .where("s.id", "=", sessionId)
    .executeTakeFirst();
  // Attendees are now planned for these times: a later move is told against them (schedule.ts).
  if (session) {
    const times = { starts_at: session.starts_at, ends_at: session.ends_at };
    await db.insertInto("session_schedules").values({ session_id: sessionId, ...times })
      .onConflict((oc) => oc.column("session_id").doUpdateSet(times)).execute();
  }
  const wanted = new Map<string, { userId: string; minutes: number; runAt: Date }>();
  // Reminders already due but not yet sent (the server was down): left to run late, not cancelled.
  const overdue = new Set<string>();
  if (session && session.status !== "cancelled") {
    const offsets = parseOffsets(session.reminder_offsets);
    const { userIds } = await attendees(db, session.event_id, sessionId);
    const startsAt = new Date(session.starts_at);
    for (const userId of userIds) {
      for (const minutes of offsets) {
        const runAt = new Date(startsAt.getTime() - minutes * 60_000);
        const key = reminderKey(sessionId, userId, minutes, session.starts_at);
        if (runAt > now) wanted.set(key, { userId, minutes, runAt });
        else if (startsAt > now) overdue.add(key);
      }
    }
  }
  let planned = 0;
  for (const [key, reminder] of wanted) {
    const { outcome } = await jobs.enqueue({
      kind: REMINDER_JOB, key, runAt: reminder.runAt, replace: true,
      payload: { sessionId, userId: reminder.userId, minutes: reminder.minutes, startsAt: session!.starts_at },
    }, db);
    if (outcome === "created" || outcome === "replaced") planned += 1;
  }
  const waiting = await db.selectFrom("jobs").select("key").where("kind", "=", REMINDER_JOB)
    .where("key", "like", `reminder:${sessionId}:%`).where("status", "in", ["queued", "dead"]).execute();
  let cancelled = 0;
  for (const { key } of waiting) if (key && !wanted.has(key) && !overdue.has(key) && (await jobs.cancel(key, db))) cancelled += 1;
  return { planned, cancelled };
}

/** Plans reminders for every session of an event. */
export async function planEventReminders(db: Kysely<DB>, jobs: JobRunner, eventId: string): Promise<ReminderPlan> {
  const sessions = await db.selectFrom("event_sessions").select("id").where("event_id", "=", eventId).execute();
  const total: ReminderPlan = { planned: 0, cancelled: 0 };
  for (const s of sessions) {
    const plan = await planSessionReminders(db, jobs, s.id);
    total.planned += plan.planned;
    total.cancelled += plan.cancelled;
  }
  return total;
}

function parseOffsets(json: string): number[] {
  const parsed = z.array(z.number().int().positive().max(60 * 24 * 60)).max(10).safeParse(JSON.parse(json));
  return parsed.success ? [...new Set(parsed.data)] : DEFAULT_OFFSETS;
}

const payloadSchema = z.object({ sessionId: z.string(), userId: z.string(), minutes: z.number().int(), startsAt: z.string() });

/** The session as a reminder must find it: not cancelled, and still starting when the reminder was planned for. */
async function sessionAsPlanned(db: Kysely<DB>, payload: z.infer<typeof payloadSchema>) {
  const session = await db
    .selectFrom("event_sessions as s")
    .innerJoin("events as e", "e.id", "s.event_id")
    .select(["s.title", "s.starts_at", "s.event_id", "e.title as eventTitle", "e.slug", "e.status", "e.time_zone"])
    .where("s.id", "=", payload.sessionId)
    .executeTakeFirst();
  return session && session.status !== "cancelled" && session.starts_at === payload.startsAt ? session : undefined;
}

export function defineReminderJob(jobs: JobRunner, deps: { db: Kysely<DB>; notifier: Notifier }): void {
  const { db, notifier } = deps;
  jobs.define(REMINDER_JOB, {
    schema: payloadSchema,
    async handle(payload, context) {
      const session = await sessionAsPlanned(db, payload);
      // Moved without a re-plan, gone, or cancelled: this reminder no longer tells the truth.
      if (!session) {
        context.log.info({ sessionId: payload.sessionId }, "reminder skipped: the session changed");
        return;
      }
      const { userIds } = await attendees(db, session.event_id, payload.sessionId);
      if (!userIds.includes(payload.userId)) return;
      const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeStyle: "short", timeZone: session.time_zone }).format(new Date(session.starts_at));
      const sent = await notifier.notify({
        userId: payload.userId, kind: "event_reminder", eventId: session.event_id, brand: session.eventTitle,
        dedupeKey: context.key ?? reminderKey(payload.sessionId, payload.userId, payload.minutes, payload.startsAt),
        title: `${session.title} starts ${describeOffset(payload.minutes)}`,
        body: `${session.title} (${session.eventTitle}) starts ${when} (${session.time_zone}).`,
        link: `/events/${session.slug}/sessions/${payload.sessionId}`, linkLabel: "Join the session",
      }, {
        // Checked again where the reminder is claimed: a move that committed since the read above wins.
        stillTrue: async (trx) => (await sessionAsPlanned(trx, payload)) !== undefined,
      });
      if (!sent) context.log.info({ sessionId: payload.sessionId }, "reminder not sent: already sent, or the session moved meanwhile");
    },
  });
}

function describeOffset(minutes: number): string {
  if (minutes % 1_440 === 0) return minutes === 1_440 ? "tomorrow" : `in ${minutes / 1_440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? "in an hour" : `in ${minutes / 60} hours`;
  return minutes === 1 ? "in a minute" : `in ${minutes} minutes`;
}

/**
 * Plans reminders for sessions starting within the next week, now and every `everyMs`, so
 * new tickets get their reminders without the ticketing code calling in.
 */
export function startReminderSweep(db: Kysely<DB>, jobs: JobRunner, log: Logger, everyMs = 5 * 60_000): () => void {
  const sweep = async () => {
    const now = new Date();
    const sessions = await db.selectFrom("event_sessions").select("id")
      .where("starts_at", ">", now.toISOString())
      .where("starts_at", "<", new Date(now.getTime() + 8 * 86_400_000).toISOString())
      .execute();
    for (const s of sessions) {
      // One session that fails (a move committed from another process mid-plan) must not stop the rest.
      await planSessionReminders(db, jobs, s.id, now).catch((error: unknown) => log.warn({ err: error, sessionId: s.id }, "reminder planning failed"));
    }
  };
  const run = () => void sweep().catch((error: unknown) => log.warn({ err: error }, "reminder sweep failed"));
  const first = setTimeout(run, 1_000).unref();
  const timer = setInterval(run, everyMs).unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
