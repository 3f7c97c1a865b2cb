/**
 * Check-in lists and what a door needs from them: the counts, the attendee search for manual
 * check-in, and the offline bundle a scanner keeps (public keys, every admissible ticket with
 * its holder and type, and who is already in) so it can check signatures and admit people
 * with no network.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { CheckinList } from "./scans.ts";

type Db = Kysely<DB> | Transaction<DB>;

export async function loadList(db: Db, listId: string): Promise<CheckinList> {
  const row = await db.selectFrom("checkin_lists").selectAll().where("id", "=", listId).executeTakeFirst();
  if (!row) throw AppError.notFound("No such check-in list");
  return toList(row);
}

export async function listsOfEvent(db: Db, eventId: string) {
  const rows = await db.selectFrom("checkin_lists").selectAll().where("event_id", "=", eventId).orderBy("created_at").execute();
  const lists = rows.map(toList);
  const counts = await Promise.all(lists.map((list) => countsOf(db, list)));
  return lists.map((list, i) => ({ ...list, ...counts[i] }));
}

/** Tickets checked in at least once, on any of the event's check-in lists. */
export async function eventCheckIns(db: Db, eventId: string): Promise<number> {
  const row = await db
    .selectFrom("checkins")
    .innerJoin("checkin_lists", "checkin_lists.id", "checkins.list_id")
    .select((e) => e.fn.count<number>("checkins.ticket_id").distinct().as("n"))
    .where("checkin_lists.event_id", "=", eventId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Tickets admitted on the list, and valid tickets the list admits. */
export async function countsOf(db: Db, list: CheckinList): Promise<{ checkedIn: number; expected: number }> {
  const checkedIn = await db
    .selectFrom("checkins")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("list_id", "=", list.id)
    .executeTakeFirstOrThrow();
  let expected = db
    .selectFrom("tickets")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("event_id", "=", list.eventId)
    .where("status", "=", "valid");
  if (list.ticketTypeIds !== null) expected = expected.where("ticket_type_id", "in", list.ticketTypeIds.length ? list.ticketTypeIds : [""]);
  return { checkedIn: Number(checkedIn.n), expected: Number((await expected.executeTakeFirstOrThrow()).n) };
}

/** Ticket types of the event that a list names must all exist. */
export async function checkTicketTypes(db: Db, eventId: string, ids: string[] | null): Promise<void> {
  if (ids === null || ids.length === 0) return;
  const found = await db.selectFrom("ticket_types").select("id").where("event_id", "=", eventId).where("id", "in", ids).execute();
  if (found.length !== new Set(ids).size) {
    throw AppError.badRequest("unknown_ticket_type", "A ticket type on this list does not belong to this event");
  }
}

/** `shortCode`: the door code staff may type, so the scanner finds the ticket with no network. */
export type OfflineTicket = { id: string; holderName: string; ticketType: string; status: string; shortCode: string | null };

/** Everything a scanner needs to work without the network. */
export async function offlineBundle(db: Db, list: CheckinList) {
  const event = await db.selectFrom("events").select(["id", "title", "starts_at", "time_zone"]).where("id", "=", list.eventId).executeTakeFirstOrThrow();
  let tickets = db
    .selectFrom("tickets")
    .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
    .select(["tickets.id", "tickets.holder_name", "tickets.status", "tickets.ticket_type_id", "tickets.short_code", "ticket_types.name as type_name"])
    .where("tickets.event_id", "=", list.eventId)
    .orderBy("tickets.id");
  if (list.ticketTypeIds !== null) tickets = tickets.where("tickets.ticket_type_id", "in", list.ticketTypeIds.length ? list.ticketTypeIds : [""]);
  const rows = await tickets.execute();
  const checkins = await db.selectFrom("checkins").select(["ticket_id", "scanned_at"]).where("list_id", "=", list.id).execute();
  return {
    list: { id: list.id, name: list.name, ticketTypeIds: list.ticketTypeIds },
    event: { id: event.id, title: event.title, startsAt: event.starts_at, timeZone: event.time_zone },
    // Every ticket of the event the list admits, refused ones too, so the door can say why.
    tickets: rows.map((r): OfflineTicket => ({ id: r.id, holderName: r.holder_name, ticketType: r.type_name, status: r.status, shortCode: r.short_code })),
    checkedIn: checkins.map((c) => ({ ticketId: c.ticket_id, at: c.scanned_at })),
    generatedAt: new Date().toISOString(),
  };
}

/** Attendees by name or e-mail, with whether each is in on this list. */
export async function searchAttendees(db: Db, list: CheckinList, query: string, limit = 25) {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  let q = db
    .selectFrom("tickets")
    .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
    .leftJoin("checkins", (join) => join.onRef("checkins.ticket_id", "=", "tickets.id").on("checkins.list_id", "=", list.id))
    .select([
      "tickets.id",
      "tickets.holder_name",
      "tickets.holder_email",
      "tickets.status",
      "ticket_types.name as type_name",
      "checkins.scanned_at",
    ])
    .where("tickets.event_id", "=", list.eventId)
    .orderBy("tickets.holder_name")
    .limit(limit);
  if (query) {
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`${eb.ref("tickets.holder_name")} like ${pattern} escape '\\'`,
        sql<boolean>`${eb.ref("tickets.holder_email")} like ${pattern} escape '\\'`,
      ]),
    );
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    ticketId: r.id,
    holderName: r.holder_name,
    holderEmail: r.holder_email,
    ticketType: r.type_name,
    status: r.status,
    checkedInAt: r.scanned_at,
  }));
}

function toList(row: { id: string; event_id: string; name: string; ticket_type_ids: string | null }): CheckinList {
  return { id: row.id, eventId: row.event_id, name: row.name, ticketTypeIds: row.ticket_type_ids === null ? null : (JSON.parse(row.ticket_type_ids) as string[]) };
}
