/**
 * An order's way out of `pending`: completed (seats sold, tickets issued, the payment booked,
 * the confirmation mail queued) or ended unpaid (held seats and the promo code's use given
 * back, and the seats offered to the waitlist). Both run inside the caller's transaction and
 * move an order forward only: a paid order is never expired, whatever arrives late.
 */
import type { Selectable, Transaction } from "kysely";
import type { DB, OrdersTable } from "../db/schema.ts";
import { insertJob } from "../jobs/store.ts";
import type { Payment } from "../payments/provider.ts";
import { recordPayment } from "../revenue/ledger.ts";
import { issueTickets } from "../tickets/issue.ts";
import { nowIso, type TicketingContext } from "./context.ts";
import { countByType, heldToSold, releaseHeld, takeSeats } from "./seats.ts";
import { offerReleasedSeats, type WaitlistOffer } from "./waitlist.ts";

export type OrderRow = Selectable<OrdersTable>;

export const JOB_CONFIRMATION = "tickets.confirmation";
export const JOB_HOLD_EXPIRY = "ticketing.holdExpiry";
export const JOB_OFFER_EXPIRY = "ticketing.waitlistOfferExpiry";

/** The seats of a paid order could not be taken back after its hold had run out: the payment must be returned. */
export class SeatsGoneError extends Error {
  override name = "SeatsGoneError";
  readonly orderId: string;
  constructor(orderId: string) {
    super(`order ${orderId} was paid after its seats went to others`);
    this.orderId = orderId;
  }
}

export async function enqueueIn(trx: Transaction<DB>, kind: string, key: string, payload: unknown, runAt: Date, maxAttempts = 10) {
  await insertJob(trx, { kind, key, payload, runAt, maxAttempts });
}

async function seatCounts(trx: Transaction<DB>, orderId: string) {
  return countByType(await trx.selectFrom("order_items").select("ticket_type_id").where("order_id", "=", orderId).execute());
}

/**
 * Completes an order. "already" when it was completed before (a duplicate or late event);
 * throws SeatsGoneError when it had expired and its seats are gone.
 */
export async function completeOrder(
  trx: Transaction<DB>,
  ctx: TicketingContext,
  orderId: string,
  paid: { paymentId: string | null; payment: Payment | null },
): Promise<"completed" | "already"> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
  if (order.status === "paid" || order.status === "refunded" || order.status === "partially_refunded") return "already";
  const counts = await seatCounts(trx, orderId);
  for (const [typeId, n] of counts) {
    if (order.status === "pending") await heldToSold(trx, typeId, n);
    // Paid after its hold ran out (a slow bank, a webhook that waited): take the seats again if they are free.
    else if (!(await takeSeats(trx, typeId, n, "sold"))) throw new SeatsGoneError(orderId);
  }
  if (order.status !== "pending" && order.promo_code_id) {
    await trx.updateTable("promo_codes").set((eb) => ({ used: eb("used", "+", 1) })).where("id", "=", order.promo_code_id).execute();
  }
  const at = nowIso();
  const updated = await trx
    .updateTable("orders")
    .set({ status: "paid", paid_at: at, updated_at: at, payment_id: paid.paymentId ?? order.payment_id, hold_expires_at: null, cancelled_at: null })
    .where("id", "=", orderId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await issueTickets(trx, ctx.ticketKeys, orderId, new Date(at));
  if (paid.payment) await recordPayment(trx, { order: updated, payment: paid.payment });
  await enqueueIn(trx, JOB_CONFIRMATION, `order-confirmation:${orderId}`, { orderId }, new Date());
  return "completed";
}

/**
 * Ends a pending order unpaid ("expired" when its hold or checkout ran out, "cancelled" when
 * the buyer gave up). Returns the waitlist offers made from its seats (their mails are sent
 * after the transaction), or null when the order was not pending.
 */
export async function endPendingOrder(trx: Transaction<DB>, ctx: TicketingContext, orderId: string, status: "expired" | "cancelled"): Promise<WaitlistOffer[] | null> {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
  if (order.status !== "pending") return null;
  const counts = await seatCounts(trx, orderId);
  for (const [typeId, n] of counts) await releaseHeld(trx, typeId, n);
  if (order.promo_code_id) {
    await trx.updateTable("promo_codes").set((eb) => ({ used: eb("used", "-", 1) })).where("id", "=", order.promo_code_id).where("used", ">", 0).execute();
  }
  const at = nowIso();
  await trx.updateTable("orders").set({ status, updated_at: at, cancelled_at: at, hold_expires_at: null }).where("id", "=", orderId).execute();
  const offers: WaitlistOffer[] = [];
  for (const typeId of counts.keys()) offers.push(...(await offerReleasedSeats(trx, ctx, typeId)));
  return offers;
}
