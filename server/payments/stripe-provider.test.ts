/**
 * StripeProvider against the Stripe stand-in, configured the way an operator would configure
 * it ([stripe] settings with api_host/api_port/api_protocol pointing at the stand-in):
 * checkout, payment, verified webhooks, forged and replayed webhooks, refunds, fees known
 * late, disputes and their outcome, Connect accounts and their payouts.
 */
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { StripeStandin } from "../../test/support/stripe-standin/index.ts";
import { WebhookReceiver } from "../../test/support/stripe-standin/receiver.ts";
import { configSchema } from "../config/index.ts";
import { type PaymentEvent, PaymentProviderError, type PaymentProvider, paymentProviderFrom, STRIPE_API_VERSION } from "./index.ts";

let standin: StripeStandin;
let receiver: WebhookReceiver;
let provider: PaymentProvider;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  standin = await StripeStandin.start({ webhookUrl: receiver.url, exchangeRates: { "eur:usd": 1.1 } });
  const config = configSchema.parse({
    stripe: {
      secret_key: standin.apiKey,
      webhook_secret: standin.webhooks.secret,
      api_host: "127.0.0.1",
      api_port: standin.port,
      api_protocol: "http",
      max_network_retries: 0,
    },
  });
  provider = paymentProviderFrom(config)!;
});
afterAll(async () => {
  await standin.close();
  await receiver.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** What the provider makes of the webhook Stripe delivered for an event, verified as the server would. */
async function delivered(eventId: string): Promise<PaymentEvent> {
  await standin.webhooks.idle();
  const found = receiver.received.find((r) => r.body.includes(`"id": "${eventId}"`));
  if (!found) throw new Error(`event ${eventId} was not delivered`);
  return provider.parseWebhook(Buffer.from(found.body), { "stripe-signature": found.signature });
}

async function rejection(promise: Promise<unknown>): Promise<PaymentProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PaymentProviderError) return error;
    throw error;
  }
  throw new Error("expected a PaymentProviderError");
}

let orders = 0;
function checkoutRequest(overrides: { payee?: { accountId: string; applicationFee: number } } = {}) {
  const orderId = `order-${++orders}`;
  return {
    orderId,
    currency: "eur",
    lines: [
      { name: "Conference pass", unitAmount: 2_500, quantity: 2 },
      { name: "Workshop", unitAmount: 1_000, quantity: 1 },
    ],
    successUrl: `http://127.0.0.1:1/orders/${orderId}?session={CHECKOUT_SESSION_ID}`,
    cancelUrl: `http://127.0.0.1:1/orders/${orderId}`,
    expiresAt: new Date(Date.now() + 45 * 60_000),
    customerEmail: "buyer@example.com",
    idempotencyKey: `checkout-${orderId}`,
    ...overrides,
  };
}

describe("configuration", () => {
  it("is off without a secret key, and pins the API version the installed package was built for", () => {
    expect(paymentProviderFrom(configSchema.parse({}))).toBeNull();
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
  });
});

describe("checkout and payment", () => {
  it("creates a checkout, is paid, and learns it from verified webhooks", async () => {
    const organizer = await provider.createPayoutAccount({ organizationId: "org-1", email: "org@example.com", country: "FR", idempotencyKey: "payout-org-1" });
    const request = checkoutRequest({ payee: { accountId: organizer.id, applicationFee: 300 } });
    const checkout = await provider.createCheckout(request);
    expect(checkout).toMatchObject({ orderId: request.orderId, state: "open", amountTotal: 6_000, currency: "eur", paymentId: null });
    expect(checkout.url).toBe(`${standin.baseUrl}/checkout/${checkout.id}`);
    expect(Math.abs(checkout.expiresAt.getTime() - request.expiresAt.getTime())).toBeLessThan(1_000);
    const sent = standin.requests.findLast((r) => r.path === "/v1/checkout/sessions")!;
    expect(sent).toMatchObject({ idempotencyKey: request.idempotencyKey, stripeVersion: STRIPE_API_VERSION });
    expect(sent.params.payment_intent_data).toMatchObject({ application_fee_amount: "300", transfer_data: { destination: organizer.id }, on_behalf_of: organizer.id });
    // A retried create (same idempotency key) is the same checkout, not a second one.
    expect((await provider.createCheckout(request)).id).toBe(checkout.id);

    standin.pay(checkout.id);
    const completed = await delivered(standin.event("checkout.session.completed", checkout.id)!.id);
    expect(completed).toMatchObject({ type: "checkout.completed", provider: "stripe", accountId: null, checkout: { id: checkout.id, orderId: request.orderId, state: "paid", url: null } });
    const paymentId = completed.type === "checkout.completed" ? completed.checkout.paymentId! : "";
    expect(await delivered(standin.event("payment_intent.succeeded", paymentId)!.id)).toMatchObject({ type: "payment.succeeded", paymentId, orderId: request.orderId, amount: 6_000 });
    expect(await provider.retrieveCheckout(checkout.id)).toMatchObject({ state: "paid", paymentId });
    expect(await provider.retrievePayment(paymentId)).toEqual({ id: paymentId, amount: 6_000, currency: "eur", processorFee: { amount: 204, currency: "eur" }, applicationFee: 300, amountRefunded: 0 });
  });

  it("follows a delayed payment from processing to paid, or to expired when the bank refuses it", async () => {
    const checkout = await provider.createCheckout(checkoutRequest());
    standin.pay(checkout.id, { delayed: true });
    expect(await delivered(standin.event("checkout.session.completed", checkout.id)!.id)).toMatchObject({ type: "checkout.completed", checkout: { state: "processing" } });
    standin.settleDelayedPayment(checkout.id, "succeeded");
    expect(await delivered(standin.event("checkout.session.async_payment_succeeded", checkout.id)!.id)).toMatchObject({ type: "checkout.completed", checkout: { state: "paid" } });
    const refused = await provider.createCheckout(checkoutRequest());
    standin.pay(refused.id, { delayed: true });
    expect(await provider.retrieveCheckout(refused.id)).toMatchObject({ state: "processing" });
    standin.settleDelayedPayment(refused.id, "failed");
    expect(await delivered(standin.event("checkout.session.async_payment_failed", refused.id)!.id)).toMatchObject({ type: "checkout.expired", checkout: { id: refused.id, state: "expired" } });
    expect(await provider.retrieveCheckout(refused.id)).toMatchObject({ state: "expired" });
  });

  it("expires an open checkout and leaves a paid one as it is", async () => {
    const open = await provider.createCheckout(checkoutRequest());
    expect(await provider.expireCheckout(open.id)).toMatchObject({ state: "expired", url: null });
    expect(await delivered(standin.event("checkout.session.expired", open.id)!.id)).toMatchObject({ type: "checkout.expired", checkout: { id: open.id, state: "expired" } });
    const paid = await provider.createCheckout(checkoutRequest());
    standin.pay(paid.id);
    expect((await provider.expireCheckout(paid.id)).state).toBe("paid");
  });
});

describe("webhook verification", () => {
  it("refuses forged signatures, tampered bodies and missing signatures", async () => {
    const checkout = await provider.createCheckout(checkoutRequest());
    standin.pay(checkout.id);
    const event = standin.event("checkout.session.completed", checkout.id)!;
    for (const kind of ["wrong-secret", "tampered-body", "stale-timestamp", "no-signature"] as const) {
      const { body, headers } = standin.webhooks.sign(event, kind);
      const error = await rejection(provider.parseWebhook(body, headers));
      expect(error, kind).toMatchObject({ reason: "signature_invalid", status: 400, code: "webhook_signature_invalid" });
    }
    const genuine = standin.webhooks.sign(event);
    expect((await provider.parseWebhook(genuine.body, genuine.headers)).id).toBe(event.id);
  });

  it("refuses a genuine webhook replayed after the tolerance (300 s)", async () => {
    const checkout = await provider.createCheckout(checkoutRequest());
    standin.pay(checkout.id);
    await standin.webhooks.idle();
    const captured = receiver.received.findLast((r) => r.body.includes(checkout.id))!;
    const headers = { "stripe-signature": captured.signature };
    expect((await provider.parseWebhook(captured.body, headers)).type).toBe("checkout.completed");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 301_000);
    const error = await rejection(provider.parseWebhook(captured.body, headers));
    expect(error.detail).toMatch(/tolerance/);
  });

  it("passes on events Plenary does not act on as ignored", async () => {
    const event = { id: "evt_other", object: "event", type: "customer.created", created: Math.floor(Date.now() / 1000), data: { object: { id: "cus_1", object: "customer" } }, livemode: false };
    const { body, headers } = standin.webhooks.sign(event as never);
    expect(await provider.parseWebhook(body, headers)).toMatchObject({ type: "ignored", providerType: "customer.created", id: "evt_other" });
  });
});

describe("refunds and disputes", () => {
  it("refunds part of a payment, then the rest, settled from charge.refunded", async () => {
    const checkout = await provider.createCheckout(checkoutRequest());
    const paymentId = standin.pay(checkout.id).payment_intent as string;
    const part = await provider.refund({ paymentId, amount: 2_500, reason: "requested_by_customer", metadata: { ticket_id: "t-1" }, idempotencyKey: "refund-t-1" });
    expect(part).toMatchObject({ paymentId, amount: 2_500, currency: "eur", state: "succeeded" });
    expect((await provider.refund({ paymentId, amount: 2_500, idempotencyKey: "refund-t-1", reason: "requested_by_customer", metadata: { ticket_id: "t-1" } })).id).toBe(part.id);
    const rest = await provider.refund({ paymentId, idempotencyKey: "refund-rest" });
    expect(rest.amount).toBe(3_500);
    const tooMuch = await rejection(provider.refund({ paymentId, amount: 1, idempotencyKey: "refund-more" }));
    expect(tooMuch).toMatchObject({ reason: "rejected", status: 502 });
    expect(tooMuch.detail).toMatch(/charge_already_refunded/);
    const refundEvents = standin.events.filter((e) => e.type === "charge.refunded" && e.data.object.payment_intent === paymentId);
    const parsed = await Promise.all(refundEvents.map((e) => delivered(e.id)));
    expect(parsed.map((e) => (e.type === "payment.refunded" ? [e.amountRefunded, e.fullyRefunded] : e.type))).toEqual([[2_500, false], [6_000, true]]);
    expect((await provider.retrievePayment(paymentId)).amountRefunded).toBe(6_000);
  });

  it("reports a dispute", async () => {
    const checkout = await provider.createCheckout(checkoutRequest());
    const paymentId = standin.pay(checkout.id).payment_intent as string;
    const dispute = standin.dispute(paymentId);
    const [withdrawal] = standin.object(dispute.id)!.balance_transactions as { id: string; created: number }[];
    const fee = { id: withdrawal.id, amount: 1_500, currency: "eur", at: new Date(withdrawal.created * 1000) };
    expect(await delivered(standin.event("charge.dispute.created", dispute.id)!.id)).toMatchObject({ type: "dispute.opened", disputeId: dispute.id, paymentId, amount: 6_000, reason: "fraudulent", state: "open", fees: [fee] });
    expect(await delivered(standin.event("charge.dispute.funds_withdrawn", dispute.id)!.id)).toMatchObject({ type: "dispute.updated", change: "funds_withdrawn", state: "open" });
    standin.closeDispute(dispute.id, "won", { feeReturned: true });
    const reinstatement = (standin.object(dispute.id)!.balance_transactions as { id: string }[])[1];
    expect(await delivered(standin.event("charge.dispute.funds_reinstated", dispute.id)!.id)).toMatchObject({
      type: "dispute.updated", change: "funds_reinstated", state: "won", amount: 6_000, fees: [fee, { id: reinstatement.id, amount: -1_500, currency: "eur" }],
    });
    expect(await delivered(standin.event("charge.dispute.closed", dispute.id)!.id)).toMatchObject({ type: "dispute.updated", change: "closed", state: "won", disputeId: dispute.id, paymentId });
  });

  it("reports the fee once the charge's balance transaction exists", async () => {
    const checkout = await provider.createCheckout(checkoutRequest());
    const paymentId = standin.pay(checkout.id, { feeLater: true }).payment_intent as string;
    expect((await provider.retrievePayment(paymentId)).processorFee).toBeNull();
    const charge = standin.attachBalanceTransaction(paymentId);
    expect(await delivered(standin.event("charge.updated", charge.id)!.id)).toMatchObject({ type: "payment.fee_available", paymentId, orderId: checkout.orderId });
    expect((await provider.retrievePayment(paymentId)).processorFee).toEqual({ amount: Math.round((6_000 * 290) / 10_000) + 30, currency: "eur" });
  });

  it("states the fee in the currency the payment settles in: a EUR sale for an organizer settling in USD", async () => {
    const organizer = await provider.createPayoutAccount({ organizationId: "org-usd", email: "usd@example.com", country: "US", idempotencyKey: "payout-org-usd" });
    standin.settleIn(organizer.id, "usd");
    const checkout = await provider.createCheckout(checkoutRequest({ payee: { accountId: organizer.id, applicationFee: 300 } }));
    const paymentId = standin.pay(checkout.id).payment_intent as string;
    // 60.00 EUR at the stated 1.1 settles as 66.00 USD; Stripe's 2.9 % + 30 of that, in USD.
    const fee = { amount: Math.round((6_600 * 290) / 10_000) + 30, currency: "usd" };
    expect(await provider.retrievePayment(paymentId)).toEqual({ id: paymentId, amount: 6_000, currency: "eur", processorFee: fee, applicationFee: 300, amountRefunded: 0 });
    // The dispute is of the EUR payment; Stripe's fee for it is taken in USD.
    const dispute = standin.dispute(paymentId);
    expect(await delivered(standin.event("charge.dispute.created", dispute.id)!.id)).toMatchObject({ amount: 6_000, currency: "eur", fees: [{ amount: 1_500, currency: "usd" }] });
  });
});

describe("payout accounts (Connect)", () => {
  it("onboards an organizer and hears about it from account.updated", async () => {
    const account = await provider.createPayoutAccount({ organizationId: "org-2", email: "org2@example.com", idempotencyKey: "payout-org-2" });
    expect(account).toMatchObject({ chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: false });
    const link = await provider.createOnboardingLink(account.id, { returnUrl: "http://127.0.0.1:1/org/payouts", refreshUrl: "http://127.0.0.1:1/org/payouts/retry" });
    expect(link).toBe(`${standin.baseUrl}/connect/onboarding/${account.id}`);
    standin.completeOnboarding(account.id);
    const event = await delivered(standin.event("account.updated", account.id)!.id);
    expect(event).toMatchObject({ type: "payout_account.updated", accountId: account.id, account: { id: account.id, chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true } });
    expect(await provider.retrievePayoutAccount(account.id)).toMatchObject({ chargesEnabled: true });
  });

  it("hears of payouts on the connected account, paid and failed", async () => {
    const account = await provider.createPayoutAccount({ organizationId: "org-3", email: "org3@example.com", idempotencyKey: "payout-org-3" });
    const payout = standin.payout(account.id, { amount: 4_200, currency: "eur" });
    expect(await delivered(standin.event("payout.paid", payout.id)!.id)).toMatchObject({ type: "payout.updated", accountId: account.id, payout: { id: payout.id, amount: 4_200, currency: "eur", state: "paid" } });
    standin.failPayout(payout.id);
    expect(await delivered(standin.event("payout.failed", payout.id)!.id)).toMatchObject({ type: "payout.updated", accountId: account.id, payout: { state: "failed" } });
    expect(await delivered(standin.event("payout.created", payout.id)!.id)).toMatchObject({ type: "ignored", providerType: "payout.created" });
  });
});

describe("failures", () => {
  it("tells an outage, a refusal and an unknown object apart", async () => {
    standin.failNext(500);
    expect(await rejection(provider.createCheckout(checkoutRequest()))).toMatchObject({ reason: "unavailable", status: 503 });
    const noSuchPayee = await rejection(provider.createCheckout(checkoutRequest({ payee: { accountId: "acct_missing", applicationFee: 1 } })));
    expect(noSuchPayee).toMatchObject({ reason: "rejected", status: 502 });
    expect(noSuchPayee.detail).toMatch(/resource_missing: No such destination: 'acct_missing'/);
    expect(await rejection(provider.retrieveCheckout("cs_test_missing"))).toMatchObject({ reason: "not_found", status: 404 });
    expect((await rejection(provider.retrieveCheckout("cs_test_missing"))).message).not.toMatch(/cs_test_missing/);
  });
});
