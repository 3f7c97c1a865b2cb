/**
 * What can be rated, and by whom. A target is the event, one of its sessions, one of its
 * speakers, or its organizer (the organization). Only attendees rate: holders of a valid
 * ticket for the event, and for a session (and its speakers) a ticket whose type grants that
 * session. Rating opens when the target has started (the event's or session's start; a
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

/** Sessions of the event the user's valid tickets grant (a type with no session rows grants all). */
export async function attendedSessionIds(db: Kysely<DB>, eventId: string, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("event_sessions as s")
    .select("s.id")
    .where("s.event_id", "=", eventId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("tickets")
          .select("tickets.id")
          .where("tickets.event_id", "=", eventId)
          .where("tickets.user_id", "=", userId)
          .where("tickets.status", "=", "valid")
          .where((inner) => {
            const typeSessions = () =>
              inner.selectFrom("ticket_type_sessions").select("session_id").whereRef("ticket_type_sessions.ticket_type_id", "=", "tickets.ticket_type_id");
            return inner.or([inner.not(inner.exists(typeSessions())), inner.exists(typeSessions().whereRef("ticket_type_sessions.session_id", "=", "s.id"))]);
          }),
      ),
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function holdsTicket(db: Kysely<DB>, eventId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom("tickets").select("id").where("event_id", "=", eventId).where("user_id", "=", userId).where("status", "=", "valid").executeTakeFirst();
  return row !== undefined;
}

/** Throws unless the user attended what the target is about (403 `not_an_attendee`). */
export async function requireAttendee(db: Kysely<DB>, target: RatingTarget, userId: string): Promise<void> {
  let attended = await holdsTicket(db, target.eventId, userId);
  if (attended && (target.type === "session" || target.type === "speaker")) {
    const sessions = await attendedSessionIds(db, target.eventId, userId);
    if (target.type === "session") attended = sessions.has(target.id);
    else {
      const speakerSessions = await db.selectFrom("session_speakers").select("session_id").where("speaker_id", "=", target.id).execute();
      attended = speakerSessions.some((s) => sessions.has(s.session_id));
    }
  }
  if (!attended) throw AppError.forbidden("not_an_attendee", "Only attendees with a ticket for this can rate it");
}
