/**
 * What can be rated, and by whom. A target is the event, one of its sessions, one of its
 * speakers, or its organizer (the organization). Only attendees rate: holders of a valid
 * ticket for the event and its organizer, and for a session (and its speakers) those who
 * attended it (`sessionAttendance`). Rating opens when the target has started (the event's or session's start; a
 * speaker's first session) and a rating stays editable for RATING_EDIT_DAYS after it was given.
 */
import { type Kysely, sql } from "kysely";
import type { DB, FeedbackTargetType } from "../db/schema.ts";
import { AppError } from "../errors.ts";

export const RATING_EDIT_DAYS = 14;
export const TARGET_TYPES = ["event", "session", "speaker", "organizer"] as const satisfies readonly FeedbackTargetType[];

export type RatingTarget = { type: FeedbackTargetType; id: string; eventId: string; title: string; opensAt: string };

/** The target inside `eventId`; 404 when it is not part of that event. */
export async function loadTarget(db: Kysely<DB>, eventId: string, type: FeedbackTargetType, id: string): Promise<RatingTarget> {
  const event = await db.selectFrom("events").select(["id", "title", "starts_at", "organization_id"]).where("id", "=", eventId).executeTakeFirst();
  if (!event) throw AppError.notFound("No such event");
  if (type === "event" && id === event.id) return { type, id, eventId, title: event.title, opensAt: event.starts_at };
  if (type === "organizer" && id === event.organization_id) {
    const org = await db.selectFrom("organizations").select("name").where("id", "=", id).executeTakeFirstOrThrow();
    return { type, id, eventId, title: org.name, opensAt: event.starts_at };
  }
  if (type === "session") {
    const session = await db.selectFrom("event_sessions").select(["title", "starts_at"]).where("id", "=", id).where("event_id", "=", eventId).executeTakeFirst();
    if (session) return { type, id, eventId, title: session.title, opensAt: session.starts_at };
  }
  if (type === "speaker") {
    const speaker = await db
      .selectFrom("speakers")
      .leftJoin("session_speakers", "session_speakers.speaker_id", "speakers.id")
      .leftJoin("event_sessions", "event_sessions.id", "session_speakers.session_id")
      .select(["speakers.name", sql<string | null>`min(event_sessions.starts_at)`.as("first_session")])
      .where("speakers.id", "=", id)
      .where("speakers.event_id", "=", eventId)
      .groupBy("speakers.id")
      .executeTakeFirst();
    if (speaker) return { type, id, eventId, title: speaker.name, opensAt: speaker.first_session ?? event.starts_at };
  }
  throw AppError.notFound("No such thing to rate in this event");
}

/**
 * Who attended which session, as (session, user) pairs, filtered by event, session and/or
 * user. Only ticket holders count (the team and speakers enter without a ticket and do not
 * rate their own work). A session with a live room was attended by whoever the SFU let into
 * it (`session_attendance`; waiting in the lobby does not count). A session without one
 * (in person) keeps no record of its own: a ticket that grants the session and was checked in
 * at any of the event's doors is the best evidence there is, so that counts.
 */
export async function sessionAttendance(db: Kysely<DB>, filter: { eventId?: string; sessionId?: string; userId?: string }): Promise<{ sessionId: string; userId: string }[]> {
  let online = db
    .selectFrom("session_attendance as a")
    .innerJoin("event_sessions as s", "s.id", "a.session_id")
    .select(["a.session_id as sessionId", "a.user_id as userId"])
    .where("s.live_room", "=", 1)
    .where((eb) =>
      eb.exists(eb.selectFrom("tickets as t").select("t.id").whereRef("t.event_id", "=", "s.event_id").whereRef("t.user_id", "=", "a.user_id").where("t.status", "=", "valid")),
    );
  let inPerson = db
    .selectFrom("event_sessions as s")
    .innerJoin("tickets as t", "t.event_id", "s.event_id")
    .select(["s.id as sessionId", sql<string>`t.user_id`.as("userId")])
    .distinct()
    .where("s.live_room", "=", 0)
    .where("t.status", "=", "valid")
    .where("t.user_id", "is not", null)
    .where((eb) => eb.exists(eb.selectFrom("checkins as c").select("c.id").whereRef("c.ticket_id", "=", "t.id")))
    .where((eb) => {
      const typeSessions = () => eb.selectFrom("ticket_type_sessions as tts").select("tts.session_id").whereRef("tts.ticket_type_id", "=", "t.ticket_type_id");
      return eb.or([eb.not(eb.exists(typeSessions())), eb.exists(typeSessions().whereRef("tts.session_id", "=", "s.id"))]);
    });
  if (filter.eventId) {
    online = online.where("s.event_id", "=", filter.eventId);
    inPerson = inPerson.where("s.event_id", "=", filter.eventId);
  }
  if (filter.sessionId) {
    online = online.where("s.id", "=", filter.sessionId);
    inPerson = inPerson.where("s.id", "=", filter.sessionId);
  }
  if (filter.userId) {
    online = online.where("a.user_id", "=", filter.userId);
    inPerson = inPerson.where("t.user_id", "=", filter.userId);
  }
  const [live, present] = await Promise.all([online.execute(), inPerson.execute()]);
  return [...live, ...present];
}

/** Sessions of the event the user attended (see `sessionAttendance`). */
export async function attendedSessionIds(db: Kysely<DB>, eventId: string, userId: string): Promise<Set<string>> {
  return new Set((await sessionAttendance(db, { eventId, userId })).map((r) => r.sessionId));
}

/** People who attended the session, to invite them to rate it. */
export async function sessionAttendeeIds(db: Kysely<DB>, sessionId: string): Promise<string[]> {
  return [...new Set((await sessionAttendance(db, { sessionId })).map((r) => r.userId))];
}

export async function holdsTicket(db: Kysely<DB>, eventId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom("tickets").select("id").where("event_id", "=", eventId).where("user_id", "=", userId).where("status", "=", "valid").executeTakeFirst();
  return row !== undefined;
}

/**
 * Throws unless the user may rate the target: a ticket holder for the event and its
 * organizer, an attendee of the session (or of one the speaker spoke in) for sessions and
 * speakers (403 `not_an_attendee`). Rating opens when the target has started (409).
 */
export async function requireAttendee(db: Kysely<DB>, target: RatingTarget, userId: string, now = new Date()): Promise<void> {
  let attended = await holdsTicket(db, target.eventId, userId);
  if (!attended) throw AppError.forbidden("not_an_attendee", "Only attendees with a ticket for this can rate it");
  if (target.opensAt > now.toISOString()) throw AppError.conflict("not_started", "Rating opens when it has started");
  if (target.type === "session" || target.type === "speaker") {
    const sessions = await attendedSessionIds(db, target.eventId, userId);
    if (target.type === "session") attended = sessions.has(target.id);
    else {
      const speakerSessions = await db.selectFrom("session_speakers").select("session_id").where("speaker_id", "=", target.id).execute();
      attended = speakerSessions.some((s) => sessions.has(s.session_id));
    }
  }
  if (!attended) throw AppError.forbidden("not_an_attendee", "Only people who attended it can rate it");
}
