/**
 * Guests (buyers without an account) reach their order through a link that carries a key:
 * an HMAC of the order id with a secret kept in the settings table, so the link needs no
 * stored token and cannot be made for another order. The link is in the confirmation mail
 * and is where the payment page sends a guest back. Once someone verifies an account with
 * the buyer's address, the order is theirs like any other (orders.ts matches it by address).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { instanceSecret } from "../settings.ts";

const SECRET_KEY = "ticketing.order_link_secret";

/** The key of an order's guest link (32 base64url characters). */
export async function orderKey(db: Kysely<DB>, orderId: string): Promise<string> {
  return createHmac("sha256", await instanceSecret(db, SECRET_KEY)).update(`order:${orderId}`).digest("base64url").slice(0, 32);
}

export async function orderKeyValid(db: Kysely<DB>, orderId: string, key: string): Promise<boolean> {
  const expected = Buffer.from(await orderKey(db, orderId));
  const given = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The order page's path: a guest's carries the key, an account holder's does not need one. */
export async function orderPagePath(db: Kysely<DB>, order: { id: string; user_id: string | null }): Promise<string> {
  return order.user_id ? `/orders/${order.id}` : `/orders/${order.id}?key=${await orderKey(db, order.id)}`;
}
