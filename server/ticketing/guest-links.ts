/**
 * Guests (buyers without an account) reach their order through a link that carries a key:
 * an HMAC of the order id with a secret kept in the settings table, so the link needs no
 * stored token and cannot be made for another order. The link is in the confirmation mail
 * and is where the payment page sends a guest back; with it a guest does with their order
 * what an account holder does (receipt, cancellation, giving up a pending checkout). The
 * mail's calendar link, a guest's or an account holder's, carries a key of its own, which
 * opens the calendar file and nothing else: calendar links get pasted into calendar services,
 * which fetch them without anyone's sign-in. Once someone verifies an
 * account with the buyer's address, the order is theirs like any other.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { instanceSecret } from "../settings.ts";

const SECRET_KEY = "ticketing.order_link_secret";

/** A guest's key, from the link's query or a request body; a missing one opens nothing. */
export const guestKeyInput = z.object({ key: z.string().max(100).default("") });

/** A guest showing the key of their order's link. */
export type GuestKeyHolder = { kind: "guest"; key: string };
/** Who asks for an order as its buyer: an actor (signed in or not), or a guest with the link's key. */
export type OrderCaller = Actor | GuestKeyHolder;

async function linkKey(db: Kysely<DB>, purpose: "order" | "calendar", orderId: string): Promise<string> {
  return createHmac("sha256", await instanceSecret(db, SECRET_KEY)).update(`${purpose}:${orderId}`).digest("base64url").slice(0, 32);
}

async function linkKeyValid(db: Kysely<DB>, purpose: "order" | "calendar", orderId: string, key: string): Promise<boolean> {
  const expected = Buffer.from(await linkKey(db, purpose, orderId));
  const given = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The key of an order's guest link (32 base64url characters). */
export const orderKey = (db: Kysely<DB>, orderId: string) => linkKey(db, "order", orderId);
export const orderKeyValid = (db: Kysely<DB>, orderId: string, key: string) => linkKeyValid(db, "order", orderId, key);

/** The key of an order's calendar link (any buyer's): it opens the calendar file only. */
export const calendarKey = (db: Kysely<DB>, orderId: string) => linkKey(db, "calendar", orderId);
export const calendarKeyValid = (db: Kysely<DB>, orderId: string, key: string) => linkKeyValid(db, "calendar", orderId, key);

/** The order page's path: a guest's carries the key, an account holder's does not need one. */
export async function orderPagePath(db: Kysely<DB>, order: { id: string; user_id: string | null }): Promise<string> {
  return order.user_id ? `/orders/${order.id}` : `/orders/${order.id}?key=${await orderKey(db, order.id)}`;
}

/** The calendar link of the confirmation mail: it carries the calendar key, so it opens without sign-in. */
export async function calendarPath(db: Kysely<DB>, orderId: string): Promise<string> {
  return `/api/guest-orders/${orderId}/calendar.ics?key=${await calendarKey(db, orderId)}`;
}

/**
 * The address whose guest orders count as the actor's: their account's, once verified (as
 * tickets sent to an address are theirs once they proved they own it); "" when none.
 */
export async function claimingEmail(db: Kysely<DB>, actor: Actor): Promise<string> {
  const userId = actorUserId(actor);
  if (!userId) return "";
  const user = await db.selectFrom("users").select(["email", "email_verified_at"]).where("id", "=", userId).executeTakeFirst();
  return user?.email_verified_at ? user.email.toLowerCase() : "";
}

/**
 * Whether the caller bought the order: the guest holds its key (guest orders only), or the
 * actor is its account, or it is a guest order to the actor's verified address.
 */
export async function isOrderBuyer(db: Kysely<DB>, caller: OrderCaller, order: { id: string; user_id: string | null; buyer_email: string }): Promise<boolean> {
  if (caller.kind === "guest") return order.user_id === null && (await orderKeyValid(db, order.id, caller.key));
  if (order.user_id !== null) return order.user_id === actorUserId(caller);
  return order.buyer_email !== "" && order.buyer_email === (await claimingEmail(db, caller));
}

/** The actor a guest's request is recorded as (refund rows, audit log). */
export function callerActor(caller: OrderCaller): Actor {
  return caller.kind === "guest" ? { kind: "anonymous" } : caller;
}
