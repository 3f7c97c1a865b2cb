/**
 * The order flow's side of the payment webhook. Each verified event is applied once: its id
 * goes into payment_events in the same transaction that applies it, so a redelivered event
 * is answered "duplicate" and a failed one is retried by the provider. Events may arrive in
 * any order; each moves an order forward only (pending → paid or expired, expired → paid if
 * its seats are still free), so a late "expired" never undoes "paid". Refunds and disputes
 * go to the revenue module.
 */
import type { Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import type { Payment, PaymentEvent } from "../payments/provider.ts";
import type { PaymentEventHandler } from "../payments/webhook-route.ts";
import { recordFee } from "../revenue/ledger.ts";
import { applyDisputeEvent, applyPayoutEvent, applyRefundEvent } from "../revenue/settlement.ts";
import { nowIso, type TicketingContext } from "./context.ts";
import { completeOrder, endPendingOrder, SeatsGoneError } from "./fulfil.ts";
import { offerReleasedSeats, sendOfferMails, type WaitlistOffer } from "./waitlist.ts";

/** The order and payment an event says was paid, if it says so. */
function paidBy(event: PaymentEvent): { orderId: string; paymentId: string } | null {
  if (event.type === "checkout.completed" && event.checkout.state === "paid" && event.checkout.orderId && event.checkout.paymentId) {
    return { orderId: event.checkout.orderId, paymentId: event.checkout.paymentId };
  }
  if (event.type === "payment.succeeded" && event.orderId) return { orderId: event.orderId, paymentId: event.paymentId };
  return null;
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
          const exists = await trx.selectFrom("orders").select("id").where("id", "=", paid.orderId).executeTakeFirst();
          if (exists) await completeOrder(trx, ctx, paid.orderId, { paymentId: paid.paymentId, payment });
        } else if (event.type === "checkout.expired" || (event.type === "checkout.completed" && event.checkout.state === "expired")) {
          // By the order id in the checkout's metadata: the webhook can beat the order's checkout_id update.
          const order = await trx
            .selectFrom("orders")
            .select("id")
            .where((eb) => eb.or([eb("checkout_id", "=", event.checkout.id), eb("id", "=", event.checkout.orderId ?? "")]))
            .executeTakeFirst();
          if (order) offers = (await endPendingOrder(trx, ctx, order.id, "expired")) ?? [];
        } else if (event.type === "payment.refunded" || event.type === "refund.updated") {
          // Seats of refunded tickets go to the waitlist, like those of an expired checkout.
          const applied = await applyRefundEvent(trx, event);
          for (const typeId of applied.releasedTicketTypeIds) offers.push(...(await offerReleasedSeats(trx, ctx, typeId)));
        } else if (event.type === "dispute.opened" || event.type === "dispute.updated") {
          await applyDisputeEvent(trx, event);
        } else if (event.type === "payout.updated") {
          await applyPayoutEvent(trx, event);
        } else if (fee) {
          await recordFee(trx, fee.order, fee.payment);
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

/** Paid after the hold ran out and the seats were sold to others: record it and give the money back. */
async function refundLatePayment(ctx: TicketingContext, event: PaymentEvent, paid: { orderId: string; paymentId: string }): Promise<"handled" | "duplicate"> {
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
