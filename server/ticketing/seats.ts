/**
 * Seat counting on ticket_types: `held` for open checkouts (and waitlist offers), `sold` for
 * completed orders. Every change is one conditional UPDATE inside the caller's transaction,
 * so `sold + held <= quantity` holds however many buyers race for the last seats (the
 * table's CHECK constraint is the second guard).
 */
import { sql } from "kysely";
import { AppError } from "../errors.ts";
import type { Db } from "./context.ts";

/** Takes n seats of a type as held or sold; false when fewer than n are left. */
export async function takeSeats(db: Db, ticketTypeId: string, n: number, as: "held" | "sold"): Promise<boolean> {
  const result = await db
    .updateTable("ticket_types")
    .set((eb) => (as === "held" ? { held: eb("held", "+", n) } : { sold: eb("sold", "+", n) }))
    .where("id", "=", ticketTypeId)
    .where(sql<boolean>`sold + held + ${n} <= quantity`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives back n held seats (a checkout ended unpaid, an offer ran out). */
export async function releaseHeld(db: Db, ticketTypeId: string, n: number): Promise<void> {
  await db
    .updateTable("ticket_types")
    .set({ held: sql<number>`max(held - ${n}, 0)` })
    .where("id", "=", ticketTypeId)
    .execute();
}

/** Turns n held seats into sold ones (a held checkout was paid). */
export async function heldToSold(db: Db, ticketTypeId: string, n: number): Promise<void> {
  const result = await db
    .updateTable("ticket_types")
    .set((eb) => ({ held: eb("held", "-", n), sold: eb("sold", "+", n) }))
    .where("id", "=", ticketTypeId)
    .where("held", ">=", n)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`ticket type ${ticketTypeId} holds fewer than ${n} seats`);
}

/** Throws when the event's own capacity (across all its types) is exceeded; call after taking seats. */
export async function checkEventCapacity(db: Db, eventId: string): Promise<void> {
  const row = await db
    .selectFrom("events")
    .leftJoin("ticket_types", "ticket_types.event_id", "events.id")
    .select((eb) => ["events.capacity", eb.fn.coalesce(eb.fn.sum<number>(sql`ticket_types.sold + ticket_types.held`), sql<number>`0`).as("taken")])
    .where("events.id", "=", eventId)
    .groupBy("events.id")
    .executeTakeFirstOrThrow();
  if (row.capacity !== null && Number(row.taken) > row.capacity) throw soldOut(null);
}

export function soldOut(ticketTypeId: string | null): AppError {
  const message = ticketTypeId ? "Not enough tickets of this type are left" : "The event is full";
  return new AppError("sold_out", 409, message, ticketTypeId ? [{ path: `ticketType.${ticketTypeId}`, message: "Sold out" }] : undefined);
}

/** Seats per ticket type in a list of seat rows. */
export function countByType(items: { ticket_type_id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.ticket_type_id, (counts.get(item.ticket_type_id) ?? 0) + 1);
  return counts;
}
