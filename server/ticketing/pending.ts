/**
 * Ending a pending order before it is paid, whether its hold ran out (a job) or its buyer gave
 * up (the order page). The provider's checkout is ended first, so nobody can pay for seats
 * that are about to be given away; only then are the seats released.
 */
import { type TicketingContext } from "./context.ts";
import { completeOrder, endPendingOrder } from "./fulfil.ts";
import { flagPayment, paymentMismatch } from "./payment-events.ts";
import { sendOfferMails } from "./waitlist.ts";

/**
 * "paid": the checkout was paid meanwhile, and the order is now complete; "processing": a
 * delayed payment is on its way and its webhook settles the order; "ended": the seats are
 * released (or the order had already ended, which is what was asked).
 */
export type PendingOutcome = "paid" | "processing" | "ended";

export async function endPendingCheckout(
  ctx: TicketingContext,
  order: { id: string; checkout_id: string | null },
  status: "expired" | "cancelled",
  base: string,
): Promise<PendingOutcome> {
  if (order.checkout_id && ctx.provider) {
    const checkout = await ctx.provider.expireCheckout(order.checkout_id);
    if (checkout.state === "paid" && checkout.paymentId) {
      const paymentId = checkout.paymentId;
      const payment = await ctx.provider.retrievePayment(paymentId);
      // Checked as the webhook checks it (payment-events.ts); a payment that does not match is flagged and the seats go.
      const completed = await ctx.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom("orders").select(["checkout_id", "total", "currency"]).where("id", "=", order.id).executeTakeFirstOrThrow();
        const claim = { orderId: order.id, paymentId, amount: checkout.amountTotal, currency: checkout.currency, checkoutId: checkout.id };
        const problem = paymentMismatch(row, claim, payment);
        if (problem) {
          await flagPayment(trx, ctx, order.id, problem, { provider: ctx.provider!.name, paymentId, checkoutId: checkout.id, amount: checkout.amountTotal, currency: checkout.currency });
          return false;
        }
        await completeOrder(trx, ctx, order.id, { paymentId, payment });
        return true;
      });
      if (completed) return "paid";
    }
    if (checkout.state === "processing") return "processing";
  }
  const offers = await ctx.db.transaction().execute((trx) => endPendingOrder(trx, ctx, order.id, status));
  await sendOfferMails(ctx, offers ?? [], base);
  return "ended";
}
