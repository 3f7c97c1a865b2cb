/**
 * Refunds (full or partial, by PaymentIntent or Charge) and disputes, with their events; their
 * balance transactions are in the currency the charge settled in (settlement.ts).
 */
import { metadata, oneOf, optionalInteger, optionalString, type Params } from "./params.ts";
import { merchantOf, type Settlement, settlementOf } from "./settlement.ts";
import { nowSeconds, type StandinContext, StripeApiError, type StripeObject, stripeId } from "./store.ts";

export type RefundStatus = "pending" | "succeeded" | "failed" | "canceled";

export function createRefund(ctx: StandinContext, account: string | null, params: Params, startAs: RefundStatus): StripeObject {
  const paymentIntentId = optionalString(params, "payment_intent");
  const chargeId = optionalString(params, "charge");
  if (!paymentIntentId && !chargeId) throw StripeApiError.missingParam("charge");
  const charge = paymentIntentId
    ? chargeOf(ctx, account, ctx.store.get(paymentIntentId, account, "payment_intent", "payment_intent"))
    : ctx.store.get(chargeId!, account, "charge", "charge");
  const remaining = (charge.amount as number) - (charge.amount_refunded as number);
  if (remaining === 0) {
    throw new StripeApiError(400, "invalid_request_error", `Charge ${charge.id} has already been refunded.`, { code: "charge_already_refunded" });
  }
  const amount = optionalInteger(params, "amount") ?? remaining;
  if (amount < 1) throw StripeApiError.invalidParam("amount", "Refund amount must be a positive integer.");
  if (amount > remaining) {
    throw new StripeApiError(400, "invalid_request_error", `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, {
      code: "amount_too_large",
      param: "amount",
    });
  }
  const created = nowSeconds();
  const settlement = settlementOfCharge(ctx, account, charge);
  const balanceTransaction = ctx.store.put(account, {
    id: stripeId("txn"),
    object: "balance_transaction",
    amount: settlement.convert(-amount),
    available_on: created,
    created,
    currency: settlement.currency,
    exchange_rate: settlement.exchangeRate,
    fee: 0,
    fee_details: [],
    net: settlement.convert(-amount),
    reporting_category: "refund",
    source: null as string | null,
    status: "available",
    type: "refund",
  });
  const refund = ctx.store.put(account, {
    id: stripeId("re"),
    object: "refund",
    amount,
    balance_transaction: balanceTransaction.id,
    charge: charge.id,
    created,
    currency: charge.currency,
    failure_reason: null,
    metadata: metadata(params),
    payment_intent: charge.payment_intent,
    reason: oneOf(params, "reason", ["duplicate", "fraudulent", "requested_by_customer"]) ?? null,
    status: startAs,
  });
  balanceTransaction.source = refund.id;
  applyToCharge(charge, refund, amount);
  ctx.emit("refund.created", refund, account);
  ctx.emit("charge.refunded", charge, account);
  return refund;
}

/** Moves a refund to its final state, as the card network answers later; emits refund.updated. */
export function settleRefund(ctx: StandinContext, id: string, status: "succeeded" | "failed" | "canceled"): StripeObject {
  const account = ctx.store.ownerOf(id);
  const refund = ctx.store.get(id, account, "refund");
  if (refund.status !== "pending") throw new Error(`refund ${id} is ${refund.status}, not pending`);
  refund.status = status;
  if (status !== "succeeded") {
    refund.failure_reason = status === "failed" ? "expired_or_canceled_card" : null;
    const charge = ctx.store.get(refund.charge as string, account, "charge");
    applyToCharge(charge, refund, -(refund.amount as number));
  }
  ctx.emit("refund.updated", refund, account, { status: "pending" });
  return refund;
}

function applyToCharge(charge: StripeObject, refund: StripeObject, amount: number) {
  charge.amount_refunded = (charge.amount_refunded as number) + amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  const refunds = charge.refunds as { data: StripeObject[] };
  refunds.data = amount > 0 ? [refund, ...refunds.data] : refunds.data.filter((r) => r.id !== refund.id);
}

/** Refunds and disputes move the balance the charge settled in, converted the same way. */
function settlementOfCharge(ctx: StandinContext, account: string | null, charge: StripeObject): Settlement {
  return settlementOf(ctx, charge.currency as string, merchantOf(account, charge.on_behalf_of));
}

function chargeOf(ctx: StandinContext, account: string | null, paymentIntent: StripeObject): StripeObject {
  if (!paymentIntent.latest_charge) {
    throw new StripeApiError(400, "invalid_request_error", `This PaymentIntent (${paymentIntent.id}) does not have a successful charge to refund.`);
  }
  return ctx.store.get(paymentIntent.latest_charge as string, account, "charge", "payment_intent");
}

/** The cardholder disputes the payment: a Dispute with Stripe's dispute fee, and charge.dispute.created. */
export function openDispute(ctx: StandinContext, paymentIntentId: string, reason = "fraudulent"): StripeObject {
  const account = ctx.store.ownerOf(paymentIntentId);
  const charge = chargeOf(ctx, account, ctx.store.get(paymentIntentId, account, "payment_intent"));
  const created = nowSeconds();
  const amount = charge.amount as number;
  // Taken from the balance the charge went to, in its currency; the dispute fee is stated in it too.
  const settlement = settlementOfCharge(ctx, account, charge);
  const withdrawal = ctx.store.put(account, {
    id: stripeId("txn"),
    object: "balance_transaction",
    amount: settlement.convert(-amount),
    available_on: created,
    created,
    currency: settlement.currency,
    exchange_rate: settlement.exchangeRate,
    fee: ctx.disputeFee.amount,
    fee_details: [{ amount: ctx.disputeFee.amount, application: null, currency: settlement.currency, description: "Dispute fee", type: "stripe_fee" }],
    net: settlement.convert(-amount) - ctx.disputeFee.amount,
    reporting_category: "dispute",
    source: null as string | null,
    status: "available",
    type: "adjustment",
  });
  const dispute = ctx.store.put(account, {
    id: stripeId("dp"),
    object: "dispute",
    amount,
    balance_transactions: [withdrawal],
    charge: charge.id,
    created,
    currency: charge.currency,
    evidence_details: { due_by: created + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: paymentIntentId,
    reason,
    status: "needs_response",
  });
  withdrawal.source = dispute.id;
  charge.disputed = true;
  ctx.emit("charge.dispute.created", dispute, account);
  ctx.emit("charge.dispute.funds_withdrawn", dispute, account);
  return dispute;
}

/**
 * The card network decides: won gives the amount back (funds_reinstated, a balance transaction
 * of +amount; the dispute fee stays taken unless `feeReturned`, then the same transaction
 * carries it as a negative fee), lost keeps it; then charge.dispute.closed.
 */
export function closeDispute(ctx: StandinContext, id: string, outcome: "won" | "lost", feeReturned: boolean): StripeObject {
  const account = ctx.store.ownerOf(id);
  const dispute = ctx.store.get(id, account, "dispute");
  if (dispute.status === "won" || dispute.status === "lost") throw new Error(`dispute ${id} is ${dispute.status} already`);
  const previous = { status: dispute.status };
  dispute.status = outcome;
  if (outcome === "won") {
    const created = nowSeconds();
    const settlement = settlementOfCharge(ctx, account, ctx.store.get(dispute.charge as string, account, "charge"));
    const amount = settlement.convert(dispute.amount as number);
    const withdrawn = (dispute.balance_transactions as StripeObject[])[0];
    const returned = feeReturned ? -(withdrawn.fee as number) : 0;
    (dispute.balance_transactions as StripeObject[]).push({
      id: stripeId("txn"),
      object: "balance_transaction",
      amount,
      available_on: created,
      created,
      currency: settlement.currency,
      exchange_rate: settlement.exchangeRate,
      fee: returned,
      fee_details: returned === 0 ? [] : [{ amount: returned, application: null, currency: settlement.currency, description: "Dispute fee refund", type: "stripe_fee" }],
      net: amount - returned,
      reporting_category: "dispute_reversal",
      source: dispute.id,
      status: "available",
      type: "adjustment",
    });
    ctx.emit("charge.dispute.funds_reinstated", dispute, account);
  }
  ctx.emit("charge.dispute.closed", dispute, account, previous);
  return dispute;
}
