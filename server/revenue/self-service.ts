/**
 * An attendee cancels their own order within the organizer's policy: the event's
 * `cancel_deadline_hours` (null: attendees cannot cancel; otherwise until that many hours
 * before the start) and `cancel_fee_bp` (the share of the refundable amount the organizer
 * keeps). The quote and the cancellation compute the same numbers. A guest proves the order
 * is theirs by its link's key (server/ticketing/guest-links.ts) and gets the same rules.
 */
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { callerActor, isOrderBuyer, type OrderCaller } from "../ticketing/guest-links.ts";
import { cancellationFee } from "./amounts.ts";
import { type RefundDeps, type RefundResult, refundableOf, requestRefund } from "./refunds.ts";

export type CancellationQuote = {
  orderId: string;
  currency: string;
  /** Whether the attendee may cancel now, and why not when they may not. */
  allowed: boolean;
  reason: "allowed" | "not_allowed_by_organizer" | "deadline_passed" | "nothing_to_cancel";
  /** Until when they may (ISO), when the event allows it at all. */
  deadline: string | null;
  /** What their remaining tickets are worth, the fee kept, and what comes back. */
  refundable: number;
  fee: number;
  refund: number;
  ticketIds: string[];
};

/** The caller's own order; anyone else's (or a wrong key) is "not found". */
async function ownOrder(db: Kysely<DB>, caller: OrderCaller, orderId: string) {
  const order = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order || !(await isOrderBuyer(db, caller, order))) throw AppError.notFound("No such order");
  return order;
}

export async function cancellationQuote(db: Kysely<DB>, caller: OrderCaller, orderId: string, now = new Date()): Promise<CancellationQuote> {
  const order = await ownOrder(db, caller, orderId);
  const event = await db.selectFrom("events").select(["starts_at", "cancel_deadline_hours", "cancel_fee_bp"]).where("id", "=", order.event_id).executeTakeFirstOrThrow();
  const { remaining, validTickets } = await refundableOf(db, order);
  const deadline = event.cancel_deadline_hours === null ? null : new Date(Date.parse(event.starts_at) - event.cancel_deadline_hours * 3_600_000);
  const fee = cancellationFee(remaining, event.cancel_fee_bp);
  const quote = { orderId, currency: order.currency, deadline: deadline?.toISOString() ?? null, refundable: remaining, fee, refund: remaining - fee, ticketIds: validTickets };
  const active = order.status === "paid" || order.status === "partially_refunded";
  if (!active || validTickets.length === 0) return { ...quote, allowed: false, reason: "nothing_to_cancel" };
  if (!deadline) return { ...quote, allowed: false, reason: "not_allowed_by_organizer" };
  if (now.getTime() > deadline.getTime()) return { ...quote, allowed: false, reason: "deadline_passed" };
  return { ...quote, allowed: true, reason: "allowed" };
}

/** Cancels every remaining ticket of the caller's order and refunds it less the fee. */
export async function cancelOwnOrder(db: Kysely<DB>, deps: RefundDeps, caller: OrderCaller, orderId: string): Promise<{ quote: CancellationQuote; result: RefundResult }> {
  const quote = await cancellationQuote(db, caller, orderId);
  if (quote.reason === "not_allowed_by_organizer") throw AppError.forbidden("cancellation_not_allowed", "The organizer does not let attendees cancel this event's tickets");
  if (quote.reason === "deadline_passed") throw AppError.conflict("cancellation_deadline_passed", "The last day to cancel has passed");
  if (quote.reason === "nothing_to_cancel") throw AppError.conflict("nothing_to_cancel", "This order has no tickets left to cancel");
  const result = await requestRefund(db, deps, callerActor(caller), {
    orderId,
    ticketIds: quote.ticketIds,
    amount: quote.refundable,
    fee: quote.fee,
    reason: "Cancelled by the attendee",
  });
  return { quote, result };
}
