/**
 * Add-to-calendar files (RFC 5545, written by the `ics` package): the event, and each of its
 * sessions the ticket grants, in UTC so every calendar shows them in its own zone.
 */
import { createEvents, type EventAttributes } from "ics";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

type CalendarEvent = { id: string; title: string; summary: string; startsAt: string; endsAt: string; location: string; url: string };

function attributes(e: CalendarEvent): EventAttributes {
  return {
    uid: `${e.id}@plenary`,
    title: e.title,
    description: e.summary,
    start: Date.parse(e.startsAt),
    startInputType: "utc",
    startOutputType: "utc",
    end: Date.parse(e.endsAt),
    endInputType: "utc",
    endOutputType: "utc",
    location: e.location,
    url: e.url,
    productId: "plenary/tickets",
  };
}

export function calendarFile(entries: CalendarEvent[]): string {
  const { error, value } = createEvents(entries.map(attributes));
  if (error || !value) throw error ?? new Error("ics produced nothing");
  return value;
}

/** The calendar for the given ticket types of an event: the event itself and the sessions they grant. */
export async function eventCalendar(db: Kysely<DB>, eventId: string, ticketTypeIds: string[], base: string): Promise<string> {
  const event = await db.selectFrom("events").selectAll().where("id", "=", eventId).executeTakeFirstOrThrow();
  const url = `${base}/events/${event.slug}`;
  const location = event.venue_type === "online" ? url : event.venue_address || url;
  const granted = ticketTypeIds.length
    ? await db.selectFrom("ticket_type_sessions").select(["ticket_type_id", "session_id"]).where("ticket_type_id", "in", ticketTypeIds).execute()
    : [];
  // A type with no rows grants every session.
  const all = ticketTypeIds.some((t) => !granted.some((g) => g.ticket_type_id === t));
  let sessions = db.selectFrom("event_sessions").selectAll().where("event_id", "=", eventId);
  if (!all) sessions = sessions.where("id", "in", granted.length ? granted.map((g) => g.session_id) : [""]);
  const rows = await sessions.orderBy("starts_at").execute();
  return calendarFile([
    { id: event.id, title: event.title, summary: event.summary, startsAt: event.starts_at, endsAt: event.ends_at, location, url },
    ...rows.map((s) => ({ id: s.id, title: `${s.title} — ${event.title}`, summary: s.description, startsAt: s.starts_at, endsAt: s.ends_at, location, url })),
  ]);
}
