/**
 * Saved cards (Customers, SetupIntents, PaymentMethods) and Connect onboarding (Accounts,
 * AccountLinks): enough for "remember my card" and for an organizer to connect a payout account.
 */
import { metadata, oneOf, optionalString, type Params, requiredString } from "./params.ts";
import { list, nowSeconds, type StandinContext, StripeApiError, type StripeObject, stripeId } from "./store.ts";

export function createCustomer(ctx: StandinContext, account: string | null, params: Params): StripeObject {
  return ctx.store.put(account, {
    id: stripeId("cus"),
    object: "customer",
    created: nowSeconds(),
    email: optionalString(params, "email") ?? null,
    livemode: false,
    metadata: metadata(params),
    name: optionalString(params, "name") ?? null,
  });
}

export function createSetupIntent(ctx: StandinContext, account: string | null, params: Params): StripeObject {
  const customer = optionalString(params, "customer") ?? null;
  if (customer) ctx.store.get(customer, account, "customer", "customer");
  const id = stripeId("seti");
  return ctx.store.put(account, {
    id,
    object: "setup_intent",
    client_secret: `${id}_secret_${stripeId("s").slice(2)}`,
    created: nowSeconds(),
    customer,
    livemode: false,
    metadata: metadata(params),
    payment_method: null,
    payment_method_types: ["card"],
    status: "requires_payment_method",
    usage: oneOf(params, "usage", ["on_session", "off_session"]) ?? "off_session",
  });
}

/** The customer enters a card for a SetupIntent: a card PaymentMethod attached to its customer. */
export function confirmSetupIntent(ctx: StandinContext, id: string): StripeObject {
  const account = ctx.store.ownerOf(id);
  const setupIntent = ctx.store.get(id, account, "setup_intent");
  const paymentMethod = ctx.store.put(account, {
    id: stripeId("pm"),
    object: "payment_method",
    billing_details: { email: null, name: null, address: null, phone: null },
    card: { brand: "visa", country: "US", exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: "credit", last4: "4242" },
    created: nowSeconds(),
    customer: setupIntent.customer,
    livemode: false,
    metadata: {},
    type: "card",
  });
  Object.assign(setupIntent, { status: "succeeded", payment_method: paymentMethod.id });
  ctx.emit("setup_intent.succeeded", setupIntent, account);
  return setupIntent;
}

export function listPaymentMethods(ctx: StandinContext, account: string | null, customer: string, params: Params) {
  ctx.store.get(customer, account, "customer", "customer");
  const type = optionalString(params, "type");
  const found = ctx.store.all("payment_method", account).filter((pm) => pm.customer === customer && (!type || pm.type === type));
  return list(`/v1/customers/${customer}/payment_methods`, found.sort((a, b) => (b.created as number) - (a.created as number)));
}

export function detachPaymentMethod(ctx: StandinContext, account: string | null, id: string): StripeObject {
  const paymentMethod = ctx.store.get(id, account, "payment_method");
  if (!paymentMethod.customer) {
    throw new StripeApiError(400, "invalid_request_error", `The payment method you provided is not attached to a customer so detachment is impossible.`);
  }
  paymentMethod.customer = null;
  return paymentMethod;
}

export function createAccount(ctx: StandinContext, params: Params): StripeObject {
  const requested = Object.keys((params.capabilities as Record<string, unknown> | undefined) ?? { card_payments: {}, transfers: {} });
  return ctx.store.put(null, {
    id: stripeId("acct"),
    object: "account",
    business_profile: { name: optionalString(params, "business_profile.name") ?? null, url: null },
    capabilities: Object.fromEntries(requested.map((c) => [c, "inactive"])),
    charges_enabled: false,
    country: optionalString(params, "country") ?? "US",
    created: nowSeconds(),
    default_currency: "usd",
    details_submitted: false,
    email: optionalString(params, "email") ?? null,
    metadata: metadata(params),
    payouts_enabled: false,
    requirements: { currently_due: ["business_type", "external_account", "tos_acceptance.date"], disabled_reason: "requirements.past_due", eventually_due: [], past_due: [] },
    type: oneOf(params, "type", ["express", "standard", "custom"]) ?? "express",
  });
}

export function createAccountLink(ctx: StandinContext, params: Params): StripeObject {
  const account = requiredString(params, "account");
  ctx.store.get(account, null, "account", "account");
  const type = oneOf(params, "type", ["account_onboarding", "account_update"]);
  if (!type) throw StripeApiError.missingParam("type");
  const returnUrl = requiredString(params, "return_url");
  const refreshUrl = optionalString(params, "refresh_url") ?? returnUrl;
  const created = nowSeconds();
  const link = { id: stripeId("link"), object: "account_link", created, expires_at: created + 300 };
  ctx.store.hidden(account).onboarding = { returnUrl, refreshUrl };
  return { ...link, url: `${ctx.baseUrl}/connect/onboarding/${account}` };
}

/** The organizer finishes Stripe's onboarding: the account can take charges and payouts; account.updated. */
export function completeOnboarding(ctx: StandinContext, id: string): StripeObject {
  const account = ctx.store.get(id, null, "account");
  const previous = { charges_enabled: account.charges_enabled, payouts_enabled: account.payouts_enabled, details_submitted: account.details_submitted };
  Object.assign(account, {
    charges_enabled: true,
    payouts_enabled: true,
    details_submitted: true,
    capabilities: Object.fromEntries(Object.keys(account.capabilities as object).map((c) => [c, "active"])),
    requirements: { currently_due: [], disabled_reason: null, eventually_due: [], past_due: [] },
  });
  // Connect events name the connected account they are about.
  ctx.emit("account.updated", account, id, previous);
  return account;
}
