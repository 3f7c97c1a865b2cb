/**
 * Asking for refunds: an organizer's (whole order, some tickets, or an amount), an attendee's
 * own cancellation within the event's policy (self-service.ts), and every order of a
 * cancelled event. A refund is a pending row first (its id is the provider's idempotency key,
 * so a retried request never pays twice), then a provider call; the provider's webhook
 * settles it (settlement.ts). Free orders have no money to return: their tickets are
 * cancelled and their seats released at once.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import type { DB, OrdersTable } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { PaymentProviderError } from "../payments/errors.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import { ticketShares } from "./amounts.ts";
import { eventCancelled, releaseTickets } from "./settlement.ts";

export type RefundDeps = {
  /** The configured payment provider; null when only free tickets are sold. */
  provider: PaymentProvider | null;
  /** Told after commit which ticket types got seats back, to offer them to the waitlist. */
  seatsReleased?: (ticketTypeIds: string[]) => Promise<void>;
};

export type RefundRequestInput = {
  orderId: string;
  /** The tickets it cancels; left out with no amount: the whole order (every ticket still valid). */
  ticketIds?: string[];
  /** Minor units; default: what those tickets are worth (or all that is left). */
  amount?: number;
  reason: string;
  /** Kept by the organizer from what the tickets are worth (the cancellation fee). */
  fee?: number;
};

export type RefundResult =
  | { kind: "refund"; refundId: string; amount: number; status: "pending" | "failed" }
  | { kind: "cancelled"; ticketIds: string[] };

const REFUNDABLE: OrdersTable["status"][] = ["paid", "partially_refunded"];

type Plan = { order: Selectable<OrdersTable>; ticketIds: string[]; amount: number };

/** What the order can still give back, and what its valid tickets are each worth. */
export async function refundableOf(db: Kysely<DB> | Transaction<DB>, order: Selectable<OrdersTable>) {
  const pending = await db.selectFrom("refunds").select(["amount", "ticket_ids"]).where("order_id", "=", order.id).where("status", "=", "pending").execute();
  const pendingTickets = new Set(pending.flatMap((r) => JSON.parse(r.ticket_ids) as string[]));
  const seats = await db
    .selectFrom("tickets")
    .innerJoin("order_items", "order_items.id", "tickets.order_item_id")
    .select(["tickets.id", "tickets.status", "order_items.unit_amount", "order_items.discount"])
    .where("tickets.order_id", "=", order.id)
    .execute();
  const shares = ticketShares(order.total, seats.map((s) => ({ ticketId: s.id, net: Math.max(0, s.unit_amount - s.discount) })));
  const remaining = order.total - order.refunded - pending.reduce((sum, r) => sum + r.amount, 0);
  const validTickets = seats.filter((s) => s.status === "valid" && !pendingTickets.has(s.id)).map((s) => s.id);
  return { remaining: Math.max(0, remaining), shares, validTickets };
}

async function plan(trx: Transaction<DB>, input: RefundRequestInput): Promise<Plan> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", input.orderId).executeTakeFirst();
  if (!order) throw AppError.notFound("No such order");
  if (!REFUNDABLE.includes(order.status)) throw AppError.conflict("order_not_refundable", `A ${order.status} order cannot be refunded`);
  const { remaining, shares, validTickets } = await refundableOf(trx, order);
  // Neither tickets nor an amount: the whole order. An amount alone (goodwill) keeps the tickets.
  const ticketIds = input.ticketIds ?? (input.amount === undefined ? validTickets : []);
  const unknown = ticketIds.filter((id) => !validTickets.includes(id));
  if (unknown.length > 0) throw AppError.conflict("ticket_not_refundable", "Some of these tickets are not valid tickets of this order (already cancelled, refunded, or being refunded)");
  const worth = input.ticketIds ? ticketIds.reduce((sum, id) => sum + (shares.get(id) ?? 0), 0) : remaining;
  const amount = Math.max(0, (input.amount ?? Math.min(worth, remaining)) - (input.fee ?? 0));
  if (amount > remaining) throw AppError.conflict("refund_too_large", `At most ${remaining} can still be refunded on this order`);
  if (amount === 0 && ticketIds.length === 0) throw AppError.conflict("nothing_to_refund", "Nothing is left to refund on this order");
  return { order, ticketIds, amount };
}

/** Refunds (part of) a paid order, or cancels tickets of a free one. */
export async function requestRefund(db: Kysely<DB>, deps: RefundDeps, actor: Actor, input: RefundRequestInput): Promise<RefundResult> {
  const now = new Date().toISOString();
  const prepared = await db.transaction().execute(async (trx) => {
    const p = await plan(trx, input);
    if (p.amount === 0) {
      // Nothing to pay back (a free order, or a fee that keeps it all): the tickets go now.
      const released = await releaseTickets(trx, p.ticketIds, "cancelled", input.reason);
      await closeIfEmpty(trx, p.order.id, now);
      const typeIds = (await eventCancelled(trx, p.order.event_id)) ? [] : [...new Set(released.map((t) => t.ticket_type_id))];
      return { kind: "cancelled" as const, ticketIds: released.map((t) => t.id), typeIds };
    }
    if (!p.order.payment_id) throw AppError.conflict("order_not_refundable", "This order has no payment to refund");
    if (!deps.provider || deps.provider.name !== p.order.provider) throw AppError.conflict("provider_unavailable", `Refunds through ${p.order.provider} are not configured`);
    const refundId = randomUUID();
    await trx
      .insertInto("refunds")
      .values({ id: refundId, order_id: p.order.id, amount: p.amount, status: "pending", reason: input.reason, ticket_ids: JSON.stringify(p.ticketIds), created_by: actorUserId(actor), created_at: now })
      .execute();
    return { kind: "refund" as const, refundId, amount: p.amount, paymentId: p.order.payment_id };
  });
  if (prepared.kind === "cancelled") {
    if (prepared.typeIds.length > 0) await deps.seatsReleased?.(prepared.typeIds);
    return { kind: "cancelled", ticketIds: prepared.ticketIds };
  }

  try {
    const refund = await deps.provider!.refund({
      paymentId: prepared.paymentId,
      amount: prepared.amount,
      reason: "requested_by_customer",
      metadata: { order_id: input.orderId, refund_id: prepared.refundId },
      idempotencyKey: `plenary-refund-${prepared.refundId}`,
    });
    // The webhook may have got here first and adopted the row: then the id is already set.
    await db.updateTable("refunds").set({ provider_refund_id: refund.id }).where("id", "=", prepared.refundId).where("provider_refund_id", "is", null).execute();
    if (refund.state === "failed" || refund.state === "canceled") {
      await db.updateTable("refunds").set({ status: "failed", settled_at: new Date().toISOString() }).where("id", "=", prepared.refundId).where("status", "=", "pending").execute();
      return { kind: "refund", refundId: prepared.refundId, amount: prepared.amount, status: "failed" };
    }
    return { kind: "refund", refundId: prepared.refundId, amount: prepared.amount, status: "pending" };
  } catch (error) {
    // The row fails and the order can be refunded again. Had the provider made the refund after
    // all (an answer lost on the way), its webhook brings it in as a refund row of its own.
    await db.updateTable("refunds").set({ status: "failed", settled_at: new Date().toISOString() }).where("id", "=", prepared.refundId).where("status", "=", "pending").execute();
    if (error instanceof PaymentProviderError) throw error;
    throw new AppError("refund_failed", 502, "The refund could not be made; try again");
  }
}

/** A free order whose tickets are all gone is cancelled (paid ones settle in settlement.ts). */
async function closeIfEmpty(trx: Transaction<DB>, orderId: string, now: string): Promise<void> {
  const valid = await trx.selectFrom("tickets").select("id").where("order_id", "=", orderId).where("status", "=", "valid").executeTakeFirst();
  if (valid) return;
  await trx
    .updateTable("orders")
    .set({ status: "cancelled", cancelled_at: now, updated_at: now })
    .where("id", "=", orderId)
    .where("status", "=", "paid")
    .where("refunded", "=", 0)
    .where("total", "=", 0)
    .execute();
}

export type CancelledEventRefunds = { refunds: number; cancelled: number; failed: { orderId: string; message: string }[] };

/**
 * The event is cancelled: every paid order is refunded in full and every free order's tickets
 * cancelled. One order failing (the provider refuses) does not stop the others; the caller
 * gets the failures to show or retry (a retry refunds only what is still left).
 */
export async function refundCancelledEvent(db: Kysely<DB>, deps: RefundDeps, eventId: string, actor: Actor): Promise<CancelledEventRefunds> {
  const orders = await db.selectFrom("orders").select("id").where("event_id", "=", eventId).where("status", "in", REFUNDABLE).orderBy("created_at").execute();
  const result: CancelledEventRefunds = { refunds: 0, cancelled: 0, failed: [] };
  for (const { id } of orders) {
    try {
      const done = await requestRefund(db, deps, actor, { orderId: id, reason: "Event cancelled" });
      if (done.kind === "refund") result.refunds += 1;
      else result.cancelled += 1;
    } catch (error) {
      if (error instanceof AppError && error.code === "nothing_to_refund") continue;
      result.failed.push({ orderId: id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
