/**
 * The order flow's side of the payment webhook. Each verified event is applied once: its id
 * goes into payment_events in the same transaction that applies it, so a redelivered event
 * is answered "duplicate" and a failed one is retried by the provider. Events may arrive in
 * any order; each moves an order forward only (pending → paid or expired, expired → paid if
 * its seats are still free), so a late "expired" never undoes "paid". Refunds and disputes
 * go to the revenue module.
 *
 * A payment completes an order only when it is that order's: a checkout event must carry the
 * checkout the order was sent to (not just the order id in its metadata), and the amount and
 * currency paid must be the order's total. A payment that is not is recorded (the order's
 * `payment_problem`, an audit row, a warning in the log) and the order is left as it was, to be
 * looked into and refunded by hand; the webhook is still answered 2xx, because the provider
 * would only send the same signed event again, for days, and it would not match any better.
 */
import type { Transaction } from "kysely";
import { randomUUID } from "node:crypto";
import type { DB } from "../db/schema.ts";
import type { Payment, PaymentEvent, PayoutAccount } from "../payments/provider.ts";
import type { PaymentEventHandler } from "../payments/webhook-route.ts";
import { recordFee } from "../revenue/ledger.ts";
import { applyDisputeEvent, applyPayoutEvent, applyRefundEvent } from "../revenue/settlement.ts";
import { nowIso, type TicketingContext } from "./context.ts";
import { completeOrder, endPendingOrder, SeatsGoneError } from "./fulfil.ts";
import { offerReleasedSeats, sendOfferMails, type WaitlistOffer } from "./waitlist.ts";

/** What an event says was paid, for which order and through which checkout (null: a payment event, which names none). */
export type PaidClaim = { orderId: string; paymentId: string; amount: number; currency: string; checkoutId: string | null };

/** The order and payment an event says was paid, if it says so. */
function paidBy(event: PaymentEvent): PaidClaim | null {
  if (event.type === "checkout.completed" && event.checkout.state === "paid" && event.checkout.orderId && event.checkout.paymentId) {
    const { orderId, paymentId, amountTotal, currency, id } = event.checkout;
    return { orderId, paymentId, amount: amountTotal, currency, checkoutId: id };
  }
  if (event.type === "payment.succeeded" && event.orderId) {
    return { orderId: event.orderId, paymentId: event.paymentId, amount: event.amount, currency: event.currency, checkoutId: null };
  }
  return null;
}

/** Orders a payment event no longer changes (completeOrder answers "already"). */
const DONE = new Set(["paid", "refunded", "partially_refunded"]);

/** Why a reported payment is not the order's, or null when it is. */
export function paymentMismatch(order: { checkout_id: string | null; total: number; currency: string }, paid: PaidClaim, payment: Payment | null): string | null {
  if (paid.checkoutId !== null && paid.checkoutId !== order.checkout_id) {
    return `checkout ${paid.checkoutId} is not the order's checkout (${order.checkout_id ?? "none"})`;
  }
  // The provider's own record of the payment, when read, is checked too: an event is a snapshot.
  for (const money of [paid, ...(payment ? [payment] : [])]) {
    if (money.amount !== order.total || money.currency.toLowerCase() !== order.currency.toLowerCase()) {
      return `paid ${money.amount} ${money.currency.toLowerCase()}, the order's total is ${order.total} ${order.currency}`;
    }
  }
  return null;
}

/** Leaves the order as it was and records why, for the organizer and platform admins. */
export async function flagPayment(trx: Transaction<DB>, ctx: TicketingContext, orderId: string, problem: string, details: Record<string, unknown>): Promise<void> {
  const at = nowIso();
  await trx.updateTable("orders").set({ payment_problem: problem, updated_at: at }).where("id", "=", orderId).execute();
  await trx
    .insertInto("audit_log")
    .values({
      id: randomUUID(), at, actor_id: null, actor_kind: "system", action: "order.payment_mismatch", target_type: "order", target_id: orderId,
      before: null, after: JSON.stringify({ problem, ...details }), ip: "",
    })
    .execute();
  ctx.log.warn({ orderId, problem, ...details }, "payment does not match its order; order not completed");
}

/** Claims the event id in this transaction; false when it was applied before. */
async function firstDelivery(trx: Transaction<DB>, event: PaymentEvent): Promise<boolean> {
  const inserted = await trx
    .insertInto("payment_events")
    .values({ provider: event.provider, event_id: event.id, type: event.type === "ignored" ? event.providerType : event.type, created: event.occurredAt.toISOString(), processed_at: nowIso() })
    .onConflict((oc) => oc.columns(["provider", "event_id"]).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export function paymentEventHandler(ctx: TicketingContext, fallbackBase: () => string): PaymentEventHandler {
  const { db } = ctx;
  return async (event) => {
    const paid = paidBy(event);
    // The payment's amount and fees for the ledger, read before the transaction (no network inside it).
    let payment: Payment | null = null;
    if (paid && ctx.provider) {
      const order = await db.selectFrom("orders").select("status").where("id", "=", paid.orderId).executeTakeFirst();
      if (order && (order.status === "pending" || order.status === "expired" || order.status === "cancelled")) {
        payment = await ctx.provider.retrievePayment(paid.paymentId, event.accountId ?? undefined);
      }
    }
    const fee = event.type === "payment.fee_available" ? await feeToBook(ctx, event) : null;
    let offers: WaitlistOffer[] = [];
    try {
      const outcome = await db.transaction().execute(async (trx) => {
        if (!(await firstDelivery(trx, event))) return "duplicate" as const;
        if (paid) {
          const order = await trx.selectFrom("orders").select(["status", "checkout_id", "total", "currency"]).where("id", "=", paid.orderId).executeTakeFirst();
          const problem = order && !DONE.has(order.status) ? paymentMismatch(order, paid, payment) : null;
          if (problem) {
            const { paymentId, checkoutId, amount, currency } = paid;
            await flagPayment(trx, ctx, paid.orderId, problem, { provider: event.provider, eventId: event.id, paymentId, checkoutId, amount, currency });
          }
          else if (order) await completeOrder(trx, ctx, paid.orderId, { paymentId: paid.paymentId, payment });
          return "handled" as const;
        }
        // Every event type has its branch: a new one in the PaymentEvent union fails type-checking here.
        switch (event.type) {
          case "checkout.completed":
          case "checkout.expired": {
            // A completed checkout that is not paid (and not named by paidBy) has expired or is still processing.
            if (event.type === "checkout.completed" && event.checkout.state !== "expired") break;
            // By the order id in the checkout's metadata: the webhook can beat the order's checkout_id update.
            const order = await trx
              .selectFrom("orders")
              .select("id")
              .where((eb) => eb.or([eb("checkout_id", "=", event.checkout.id), eb("id", "=", event.checkout.orderId ?? "")]))
              .executeTakeFirst();
            if (order) offers = (await endPendingOrder(trx, ctx, order.id, "expired")) ?? [];
            break;
          }
          case "payment.refunded":
          case "refund.updated": {
            // Seats of refunded tickets go to the waitlist, like those of an expired checkout.
            const applied = await applyRefundEvent(trx, event);
            for (const typeId of applied.releasedTicketTypeIds) offers.push(...(await offerReleasedSeats(trx, ctx, typeId)));
            break;
          }
          case "dispute.opened":
          case "dispute.updated":
            await applyDisputeEvent(trx, event);
            break;
          case "payout.updated":
            await applyPayoutEvent(trx, event);
            break;
          case "payout_account.updated":
            await applyPayoutAccountEvent(trx, event.account);
            break;
          case "payment.fee_available":
            if (fee) await recordFee(trx, fee.order, fee.payment);
            break;
          // Approval is the provider's step before a capture (PayPal); a succeeded payment naming no order has nothing to complete.
          case "checkout.approved":
          case "payment.succeeded":
          case "ignored":
            break;
          default:
            event satisfies never;
        }
        return "handled" as const;
      });
      await sendOfferMails(ctx, offers, fallbackBase());
      return outcome;
    } catch (error) {
      if (!(error instanceof SeatsGoneError) || !paid || !ctx.provider) throw error;
      return refundLatePayment(ctx, event, paid);
    }
  };
}

/**
 * The provider changed what an organizer's payout account may do (onboarding finished, or
 * charges disabled later for missing details): sales route money to it only while it is ready.
 */
async function applyPayoutAccountEvent(trx: Transaction<DB>, account: PayoutAccount): Promise<void> {
  const ready = account.chargesEnabled && account.payoutsEnabled ? 1 : 0;
  await trx.updateTable("organizations").set({ payout_ready: ready }).where("payout_account_id", "=", account.id).execute();
}

/** Paid after the hold ran out and the seats were sold to others: record it and give the money back. */
async function refundLatePayment(ctx: TicketingContext, event: PaymentEvent, paid: PaidClaim): Promise<"handled" | "duplicate"> {
  await ctx.provider!.refund({ paymentId: paid.paymentId, reason: "requested_by_customer", metadata: { order_id: paid.orderId, cause: "seats_gone" }, idempotencyKey: `seats-gone:${paid.orderId}` });
  ctx.log.warn({ orderId: paid.orderId, paymentId: paid.paymentId }, "payment arrived after the seats were sold to others; refunded");
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await firstDelivery(trx, event))) return "duplicate";
    await trx.updateTable("orders").set({ payment_id: paid.paymentId, updated_at: nowIso() }).where("id", "=", paid.orderId).execute();
    return "handled";
  });
}

/**
 * The processing fee of a payment whose balance transaction came after the payment: read from
 * the provider (outside the transaction) unless the ledger has it already. The order is found
 * by the payment, else by the order id the charge carries: the fee is Stripe's even when a late
 * payment was refunded at once.
 */
async function feeToBook(ctx: TicketingContext, event: Extract<PaymentEvent, { type: "payment.fee_available" }>) {
  if (!ctx.provider) return null;
  const order = await ctx.db
    .selectFrom("orders")
    .select(["id", "event_id", "currency"])
    .where((eb) => eb.or([eb("payment_id", "=", event.paymentId), eb("id", "=", event.orderId ?? "")]))
    .executeTakeFirst();
  if (!order) return null;
  const booked = await ctx.db.selectFrom("ledger_entries").select("id").where("kind", "=", "provider_fee").where("reference", "=", event.paymentId).executeTakeFirst();
  if (booked) return null;
  return { order, payment: await ctx.provider.retrievePayment(event.paymentId, event.accountId ?? undefined) };
}
