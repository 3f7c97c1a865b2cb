/**
 * Issuing tickets for a paid (or free) order: one ticket per seat, its code signed with the
 * newest ticket key. Runs in the transaction that completes the order, so an order is never
 * paid without its tickets. A seat for someone with an account here is theirs at once; other
 * seats are found by the holder's e-mail address once they sign up. Each ticket also gets a
 * door code (short-code.ts), unique within its event.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import { newShortCode } from "./short-code.ts";
import type { TicketKeys } from "./ticket-keys.ts";

export async function issueTickets(trx: Transaction<DB>, keys: TicketKeys, orderId: string, at = new Date()): Promise<string[]> {
  const order = await trx.selectFrom("orders").select(["id", "event_id", "user_id", "buyer_email"]).where("id", "=", orderId).executeTakeFirstOrThrow();
  const items = await trx
    .selectFrom("order_items")
    .leftJoin("tickets", "tickets.order_item_id", "order_items.id")
    .select(["order_items.id", "order_items.ticket_type_id", "order_items.holder_name", "order_items.holder_email"])
    .where("order_items.order_id", "=", orderId)
    .where("tickets.id", "is", null)
    .execute();
  if (items.length === 0) return [];
  const emails = [...new Set(items.map((i) => i.holder_email.toLowerCase()))];
  const users = await trx.selectFrom("users").select(["id", "email"]).where("email", "in", emails).execute();
  const userByEmail = new Map(users.map((u) => [u.email.toLowerCase(), u.id]));
  const now = at.toISOString();
  const shortCodes = await freshShortCodes(trx, order.event_id, items.length);
  const rows = items.map((item, i) => {
    const id = randomUUID();
    const holderEmail = item.holder_email.toLowerCase();
    const userId = holderEmail === order.buyer_email.toLowerCase() && order.user_id ? order.user_id : (userByEmail.get(holderEmail) ?? null);
    return {
      id, order_id: orderId, order_item_id: item.id, event_id: order.event_id, ticket_type_id: item.ticket_type_id, user_id: userId,
      holder_name: item.holder_name, holder_email: item.holder_email,
      code: keys.sign({ ticketId: id, eventId: order.event_id, ticketTypeId: item.ticket_type_id, issuedAt: at }),
      short_code: shortCodes[i],
      created_at: now, updated_at: now,
    };
  });
  await trx.insertInto("tickets").values(rows).execute();
  return rows.map((r) => r.id);
}

/** `n` door codes no ticket of the event has yet (a clash is one in ~10^9 per pair, but the index is unique). */
export async function freshShortCodes(db: Kysely<DB> | Transaction<DB>, eventId: string, n: number): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < n) {
    const candidates = Array.from({ length: n - codes.size }, newShortCode).filter((c) => !codes.has(c));
    if (candidates.length === 0) continue;
    const taken = await db.selectFrom("tickets").select("short_code").where("event_id", "=", eventId).where("short_code", "in", candidates).execute();
    const clash = new Set(taken.map((t) => t.short_code));
    for (const c of candidates) if (!clash.has(c)) codes.add(c);
  }
  return [...codes];
}

export async function freshShortCode(db: Kysely<DB> | Transaction<DB>, eventId: string): Promise<string> {
  return (await freshShortCodes(db, eventId, 1))[0];
}
