/** Payouts from a connected account's balance to its bank, with the events Stripe sends on that account. */
import { nowSeconds, type StandinContext, type StripeObject, stripeId } from "./store.ts";

/** A payout on `accountId` that reaches the bank (payout.paid) or is sent back (payout.failed). */
export function makePayout(ctx: StandinContext, accountId: string, input: { amount: number; currency: string; outcome: "paid" | "failed" }): StripeObject {
  ctx.store.get(accountId, null, "account");
  const created = nowSeconds();
  const payout = ctx.store.put(accountId, {
    id: stripeId("po"),
    object: "payout",
    amount: input.amount,
    arrival_date: created + 86_400,
    automatic: true,
    balance_transaction: stripeId("txn"),
    created,
    currency: input.currency,
    description: "STRIPE PAYOUT",
    destination: stripeId("ba"),
    failure_code: null as string | null,
    failure_message: null as string | null,
    livemode: false,
    metadata: {},
    method: "standard",
    status: "pending",
    type: "bank_account",
  });
  ctx.emit("payout.created", payout, accountId);
  return settlePayout(ctx, payout.id, input.outcome);
}

/** A payout's final answer from the bank; a paid one can still fail later, as on Stripe. */
export function settlePayout(ctx: StandinContext, id: string, status: "paid" | "failed"): StripeObject {
  const account = ctx.store.ownerOf(id);
  const payout = ctx.store.get(id, account, "payout");
  const previous = { status: payout.status };
  payout.status = status;
  if (status === "failed") Object.assign(payout, { failure_code: "account_closed", failure_message: "The bank account has been closed." });
  ctx.emit(`payout.${status}`, payout, account, previous);
  return payout;
}
