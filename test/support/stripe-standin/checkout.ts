/**
 * Checkout Sessions and what paying one makes: a PaymentIntent, its Charge, the Charge's
 * balance transaction with Stripe's fee (in the settlement currency: settlement.ts), and the
 * application fee a Connect platform takes.
 * Validation follows Stripe's rules that Plenary can get wrong (expiry window, application
 * fee only on direct or destination charges, minimum amount), with Stripe's messages.
 */
import {
  arrayOf,
  metadata,
  oneOf,
  optionalInteger,
  optionalString,
  type Params,
  requiredInteger,
  requiredString,
} from "./params.ts";
import { merchantOf, settlementOf } from "./settlement.ts";
import { list, nowSeconds, type StandinContext, StripeApiError, type StripeObject, stripeId } from "./store.ts";

const MINIMUM_AMOUNT: Record<string, number> = { gbp: 30 };

export function createCheckoutSession(ctx: StandinContext, account: string | null, params: Params): StripeObject {
  const mode = oneOf(params, "mode", ["payment", "setup", "subscription"]);
  if (!mode) throw StripeApiError.missingParam("mode");
  if (mode === "subscription") throw StripeApiError.invalidParam("mode", "The Stripe stand-in does not do subscriptions.");
  const successUrl = requiredString(params, "success_url");
  const now = nowSeconds();
  const expiresAt = optionalInteger(params, "expires_at") ?? now + 86_400;
  if (expiresAt > now + 86_400) {
    throw StripeApiError.invalidParam("expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.");
  }
  if (expiresAt < now + 1_800) {
    throw StripeApiError.invalidParam("expires_at", "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.");
  }
  const customer = optionalString(params, "customer");
  const customerEmail = optionalString(params, "customer_email");
  if (customer && customerEmail) {
    throw new StripeApiError(400, "invalid_request_error", "You may only specify one of these parameters: customer, customer_email.");
  }
  if (customer) ctx.store.get(customer, account, "customer", "customer");

  const items = arrayOf(params, "line_items").map((item, i) => lineItem(item, i));
  if (mode === "payment" && items.length === 0) throw StripeApiError.missingParam("line_items");
  const currency = items[0]?.currency ?? optionalString(params, "currency")?.toLowerCase() ?? null;
  if (items.some((item) => item.currency !== currency)) {
    throw StripeApiError.invalidParam("line_items", "All line items must use the same currency.");
  }
  const amount = items.reduce((sum, item) => sum + item.amount_total, 0);
  if (mode === "payment" && currency && amount < (MINIMUM_AMOUNT[currency] ?? 50)) {
    throw new StripeApiError(400, "invalid_request_error", `The Checkout Session's total amount due must add up to at least ${MINIMUM_AMOUNT[currency] ?? 50} ${currency} (minor units).`, {
      code: "amount_too_small",
    });
  }
  const paymentIntentData = paymentIntentDataOf(ctx, account, params, amount);

  const id = stripeId("cs_test");
  const session = ctx.store.put(account, {
    id,
    object: "checkout.session",
    amount_subtotal: amount,
    amount_total: amount,
    cancel_url: optionalString(params, "cancel_url") ?? null,
    client_reference_id: optionalString(params, "client_reference_id") ?? null,
    created: now,
    currency,
    customer: customer ?? null,
    customer_details: null,
    customer_email: customerEmail ?? null,
    expires_at: expiresAt,
    livemode: false,
    locale: optionalString(params, "locale") ?? null,
    metadata: metadata(params),
    mode,
    payment_intent: null,
    payment_method_types: ["card"],
    payment_status: mode === "setup" ? "no_payment_required" : "unpaid",
    setup_intent: null,
    status: "open",
    success_url: successUrl,
    ui_mode: "hosted",
    url: `${ctx.baseUrl}/checkout/${id}`,
  });
  const hidden = ctx.store.hidden(id);
  hidden.lineItems = items.map((item) => ({ id: stripeId("li"), object: "item", ...item }));
  hidden.paymentIntentData = paymentIntentData;
  return session;
}

function lineItem(item: Params, i: number) {
  const at = (p: string) => `line_items.${i}.${p}`;
  if (optionalString(item as Params, "price")) {
    throw StripeApiError.invalidParam(`line_items[${i}][price]`, "The Stripe stand-in takes line_items[][price_data], not Price ids.");
  }
  const wrapped = { line_items: { [i]: item } };
  const quantity = requiredInteger(wrapped, at("quantity"));
  if (quantity < 1) throw StripeApiError.invalidParam(`line_items[${i}][quantity]`, "Quantity must be at least 1.");
  const unitAmount = requiredInteger(wrapped, at("price_data.unit_amount"));
  if (unitAmount < 0) throw StripeApiError.invalidParam(`line_items[${i}][price_data][unit_amount]`, "This value must be greater than or equal to 0.");
  const currency = requiredString(wrapped, at("price_data.currency")).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw StripeApiError.invalidParam(`line_items[${i}][price_data][currency]`, `Invalid currency: ${currency}`);
  const name = requiredString(wrapped, at("price_data.product_data.name"));
  return {
    amount_subtotal: unitAmount * quantity,
    amount_total: unitAmount * quantity,
    currency,
    description: name,
    quantity,
    price: { object: "price", currency, unit_amount: unitAmount, product_data: { name } },
  };
}

type PaymentIntentData = {
  application_fee_amount: number | null;
  transfer_data: { destination: string } | null;
  on_behalf_of: string | null;
  metadata: Record<string, string>;
  setup_future_usage: string | null;
  description: string | null;
};

function paymentIntentDataOf(ctx: StandinContext, account: string | null, params: Params, amount: number): PaymentIntentData {
  const fee = optionalInteger(params, "payment_intent_data.application_fee_amount") ?? null;
  const destination = optionalString(params, "payment_intent_data.transfer_data.destination") ?? null;
  const onBehalfOf = optionalString(params, "payment_intent_data.on_behalf_of") ?? null;
  for (const [param, id] of [["payment_intent_data[transfer_data][destination]", destination], ["payment_intent_data[on_behalf_of]", onBehalfOf]] as const) {
    if (id && ctx.store.find(id)?.object !== "account") throw StripeApiError.noSuch("destination", id, param);
  }
  if (fee !== null) {
    if (account === null && destination === null) {
      throw StripeApiError.invalidParam(
        "payment_intent_data[application_fee_amount]",
        "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
      );
    }
    if (fee < 0 || fee > amount) {
      throw StripeApiError.invalidParam("payment_intent_data[application_fee_amount]", "The application fee must be between 0 and the amount of the payment.");
    }
  }
  return {
    application_fee_amount: fee,
    transfer_data: destination ? { destination } : null,
    on_behalf_of: onBehalfOf,
    metadata: metadata(params, "payment_intent_data.metadata"),
    setup_future_usage: optionalString(params, "payment_intent_data.setup_future_usage") ?? null,
    description: optionalString(params, "payment_intent_data.description") ?? null,
  };
}

/** A session, marked expired first when its `expires_at` has passed (Stripe does it in the background). */
export function retrieveCheckoutSession(ctx: StandinContext, account: string | null, id: string, expand: string[] = []): StripeObject {
  const session = ctx.store.get(id, account, "checkout.session");
  if (session.status === "open" && (session.expires_at as number) <= nowSeconds()) expireCheckoutSession(ctx, account, id);
  const shown = ctx.store.expand(session, expand.filter((p) => p !== "line_items"));
  if (expand.includes("line_items")) shown.line_items = lineItems(ctx, id);
  return shown;
}

export function lineItems(ctx: StandinContext, id: string) {
  return list(`/v1/checkout/sessions/${id}/line_items`, ctx.store.hidden(id).lineItems as StripeObject[]);
}

export function expireCheckoutSession(ctx: StandinContext, account: string | null, id: string): StripeObject {
  const session = ctx.store.get(id, account, "checkout.session");
  if (session.status !== "open") {
    throw new StripeApiError(400, "invalid_request_error", `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`);
  }
  session.status = "expired";
  ctx.emit("checkout.session.expired", session, account);
  return session;
}

export type Buyer = {
  email?: string;
  name?: string;
  /**
   * Pays with a delayed method (SEPA debit): the session completes unpaid and the money is
   * confirmed later by settleDelayedPayment, with checkout.session.async_payment_succeeded/failed.
   */
  delayed?: boolean;
  /**
   * The charge's balance transaction (and so Stripe's fee) is attached later, by
   * settleBalance (charge.updated), as Stripe does for many payment methods and API versions.
   */
  feeLater?: boolean;
};

/**
 * The customer pays at the hosted page: a card PaymentMethod, the PaymentIntent and Charge,
 * the balance transaction with Stripe's fee, the application fee; then the events Stripe sends.
 */
export function payCheckoutSession(ctx: StandinContext, id: string, buyer: Buyer = {}): StripeObject {
  const account = ctx.store.ownerOf(id);
  const session = retrieveCheckoutSession(ctx, account, id);
  if (session.status !== "open") throw new StripeApiError(400, "invalid_request_error", `This Checkout Session is ${session.status} and can no longer be paid.`);
  const stored = ctx.store.get(id, account, "checkout.session");
  const data = ctx.store.hidden(id).paymentIntentData as PaymentIntentData;
  const email = buyer.email ?? (session.customer_email as string | null) ?? "buyer@example.com";
  const customer = session.customer as string | null;
  const paymentMethod = cardPaymentMethod(ctx, account, email, buyer.name ?? "Test Buyer");
  stored.customer_details = { email, name: buyer.name ?? "Test Buyer", address: null, phone: null, tax_exempt: "none", tax_ids: [] };

  if (stored.mode === "setup") {
    const setupIntent = ctx.store.put(account, {
      id: stripeId("seti"),
      object: "setup_intent",
      client_secret: null,
      created: nowSeconds(),
      customer,
      payment_method: paymentMethod.id,
      status: "succeeded",
      usage: "off_session",
      metadata: {},
    });
    if (customer) paymentMethod.customer = customer;
    Object.assign(stored, { status: "complete", setup_intent: setupIntent.id });
    ctx.emit("checkout.session.completed", stored, account);
    return stored;
  }

  if (customer && data.setup_future_usage) paymentMethod.customer = customer;
  const amount = stored.amount_total as number;
  const currency = stored.currency as string;
  // The balance transaction is in the settlement merchant's currency: converted when that is
  // not the charge's, Stripe's fee then stated (and worked out) in the settlement currency.
  const settlement = settlementOf(ctx, currency, merchantOf(account, data.on_behalf_of));
  const created = nowSeconds();
  const chargeId = stripeId("ch");
  const paymentIntent = ctx.store.put(account, {
    id: stripeId("pi"),
    object: "payment_intent",
    amount,
    amount_received: buyer.delayed ? 0 : amount,
    application_fee_amount: data.application_fee_amount,
    created,
    currency,
    customer,
    description: data.description,
    latest_charge: chargeId,
    livemode: false,
    metadata: data.metadata,
    on_behalf_of: data.on_behalf_of,
    payment_method: paymentMethod.id,
    payment_method_types: ["card"],
    setup_future_usage: data.setup_future_usage,
    status: buyer.delayed ? "processing" : "succeeded",
    transfer_data: data.transfer_data,
  });
  const settled = settlement.convert(amount);
  const processing = ctx.processingFee(settled);
  // On a direct charge (made on the connected account) the application fee is part of the
  // connected account's fee; on a destination charge the platform pays Stripe's fee itself.
  const direct = account !== null;
  const applicationFee = data.application_fee_amount;
  const feeDetails: { amount: number; application: string | null; currency: string; description: string; type: string }[] = [
    { amount: processing, application: null, currency: settlement.currency, description: "Stripe processing fees", type: "stripe_fee" },
  ];
  if (direct && applicationFee) feeDetails.push({ amount: settlement.convert(applicationFee), application: "ca_plenary", currency: settlement.currency, description: "Application fee", type: "application_fee" });
  const fee = feeDetails.reduce((sum, f) => sum + f.amount, 0);
  const balanceTransaction: StripeObject = {
    id: stripeId("txn"),
    object: "balance_transaction",
    amount: settled,
    available_on: created + 2 * 86_400,
    created,
    currency: settlement.currency,
    description: null,
    exchange_rate: settlement.exchangeRate,
    fee,
    fee_details: feeDetails,
    net: settled - fee,
    reporting_category: "charge",
    source: chargeId,
    status: "pending",
    type: "charge",
  };
  if (buyer.feeLater) ctx.store.hidden(chargeId).balanceTransaction = balanceTransaction;
  else ctx.store.put(account, balanceTransaction);
  const feeObject = applicationFee === null ? null : ctx.store.put(null, {
    id: stripeId("fee"),
    object: "application_fee",
    account: direct ? account : data.transfer_data?.destination,
    amount: applicationFee,
    amount_refunded: 0,
    charge: chargeId,
    created,
    currency,
    refunded: false,
  });
  ctx.store.put(account, {
    id: chargeId,
    object: "charge",
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    application_fee: feeObject?.id ?? null,
    application_fee_amount: applicationFee,
    balance_transaction: buyer.feeLater ? null : balanceTransaction.id,
    billing_details: { email, name: buyer.name ?? "Test Buyer" },
    captured: true,
    created,
    currency,
    customer,
    disputed: false,
    livemode: false,
    metadata: data.metadata,
    on_behalf_of: data.on_behalf_of,
    paid: !buyer.delayed,
    payment_intent: paymentIntent.id,
    payment_method: paymentMethod.id,
    refunded: false,
    refunds: list(`/v1/charges/${chargeId}/refunds`, []),
    status: buyer.delayed ? "pending" : "succeeded",
    transfer_data: data.transfer_data ? { amount: null, destination: data.transfer_data.destination } : null,
  });
  Object.assign(stored, { status: "complete", payment_status: buyer.delayed ? "unpaid" : "paid", payment_intent: paymentIntent.id });
  if (!buyer.delayed) ctx.emit("payment_intent.succeeded", paymentIntent, account);
  ctx.emit("checkout.session.completed", stored, account);
  return stored;
}

/** The charge of a payment made with `feeLater` gets its balance transaction: charge.updated. */
export function attachBalanceTransaction(ctx: StandinContext, paymentIntentId: string): StripeObject {
  const account = ctx.store.ownerOf(paymentIntentId);
  const paymentIntent = ctx.store.get(paymentIntentId, account, "payment_intent");
  const charge = ctx.store.get(paymentIntent.latest_charge as string, account, "charge");
  const pending = ctx.store.hidden(charge.id).balanceTransaction as StripeObject | undefined;
  if (!pending || charge.balance_transaction) throw new Error(`charge ${charge.id} has its balance transaction already`);
  ctx.store.put(account, pending);
  charge.balance_transaction = pending.id;
  ctx.emit("charge.updated", charge, account, { balance_transaction: null });
  return charge;
}

/** The bank confirms (or refuses) a delayed payment, days later on Stripe. */
export function settleDelayedPayment(ctx: StandinContext, id: string, outcome: "succeeded" | "failed"): StripeObject {
  const account = ctx.store.ownerOf(id);
  const session = ctx.store.get(id, account, "checkout.session");
  const paymentIntent = session.payment_intent ? ctx.store.get(session.payment_intent as string, account, "payment_intent") : undefined;
  if (!paymentIntent || paymentIntent.status !== "processing") throw new Error(`checkout session ${id} has no delayed payment waiting`);
  const charge = ctx.store.get(paymentIntent.latest_charge as string, account, "charge");
  if (outcome === "succeeded") {
    Object.assign(paymentIntent, { status: "succeeded", amount_received: paymentIntent.amount });
    Object.assign(charge, { status: "succeeded", paid: true });
    session.payment_status = "paid";
    ctx.emit("payment_intent.succeeded", paymentIntent, account);
    ctx.emit("checkout.session.async_payment_succeeded", session, account);
  } else {
    Object.assign(paymentIntent, { status: "requires_payment_method", last_payment_error: { code: "payment_method_provider_decline", message: "The bank refused the debit." } });
    Object.assign(charge, { status: "failed", failure_code: "generic_decline" });
    ctx.emit("payment_intent.payment_failed", paymentIntent, account);
    ctx.emit("checkout.session.async_payment_failed", session, account);
  }
  return session;
}

function cardPaymentMethod(ctx: StandinContext, account: string | null, email: string, name: string): StripeObject {
  return ctx.store.put(account, {
    id: stripeId("pm"),
    object: "payment_method",
    billing_details: { email, name, address: null, phone: null },
    card: { brand: "visa", country: "US", exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: "credit", last4: "4242" },
    created: nowSeconds(),
    customer: null,
    livemode: false,
    metadata: {},
    type: "card",
  });
}
