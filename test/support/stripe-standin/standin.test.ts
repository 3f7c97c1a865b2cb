/**
 * The stand-in against the real stripe client: every endpoint Plenary uses, Stripe's errors,
 * idempotency, Connect scoping, and webhooks that the real `constructEvent` accepts (or, when
 * forged, refuses).
 */
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StripeStandin } from "./index.ts";
import { WebhookReceiver } from "./receiver.ts";

let standin: StripeStandin;
let receiver: WebhookReceiver;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  standin = await StripeStandin.start({ webhookUrl: receiver.url, retryDelaysMs: [20, 20], exchangeRates: { "eur:usd": 1.1, "eur:jpy": 160 } });
  stripe = standin.client();
});
afterAll(async () => {
  await standin.close();
  await receiver.close();
});
afterEach(async () => {
  await standin.webhooks.idle();
});

const inOneHour = () => Math.floor(Date.now() / 1000) + 3_600;

function sessionParams(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    line_items: [
      { quantity: 2, price_data: { currency: "eur", unit_amount: 2_500, product_data: { name: "Conference pass" } } },
      { quantity: 1, price_data: { currency: "eur", unit_amount: 1_000, product_data: { name: "Workshop" } } },
    ],
    success_url: "http://127.0.0.1:1/orders/o1?session={CHECKOUT_SESSION_ID}",
    cancel_url: "http://127.0.0.1:1/orders/o1/cancel",
    metadata: { order_id: "o1" },
    client_reference_id: "o1",
    expires_at: inOneHour(),
    ...overrides,
  };
}

/** The received webhook for an event id, verified with the real client's constructEvent. */
function verified(eventId: string): Stripe.Event {
  const found = receiver.received.find((r) => r.body.includes(`"id": "${eventId}"`));
  if (!found) throw new Error(`event ${eventId} was not delivered`);
  return Stripe.webhooks.constructEvent(found.body, found.signature!, standin.webhooks.secret, 300);
}

async function caught(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error("expected the request to fail");
}

describe("authentication", () => {
  it("refuses a missing or wrong secret key as Stripe does (401)", async () => {
    const wrong = new Stripe("sk_test_wrong_key_123456", { ...standin.clientConfig, maxNetworkRetries: 0 });
    const error = await caught(wrong.customers.create({ email: "a@example.com" }));
    expect(error.type).toBe("StripeAuthenticationError");
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(/^Invalid API Key provided: sk_test_\**3456$/);
    const bare = await fetch(`${standin.baseUrl}/v1/customers`, { method: "POST" });
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { message: string } }).error.message).toMatch(/did not provide an API key/);
  });
});

describe("checkout sessions", () => {
  it("creates, retrieves with line items, lists and expires one", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    expect(session).toMatchObject({ object: "checkout.session", status: "open", payment_status: "unpaid", amount_total: 6_000, currency: "eur", metadata: { order_id: "o1" }, client_reference_id: "o1" });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${standin.baseUrl}/checkout/${session.id}`);
    expect(session.lastResponse.requestId).toMatch(/^req_/);

    const again = await stripe.checkout.sessions.retrieve(session.id, { expand: ["line_items"] });
    expect(again.line_items?.data.map((i) => [i.description, i.quantity, i.amount_total])).toEqual([["Conference pass", 2, 5_000], ["Workshop", 1, 1_000]]);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data).toHaveLength(2);
    const listed = await stripe.checkout.sessions.list({ client_reference_id: "o1" } as Stripe.Checkout.SessionListParams);
    expect(listed.data.map((s) => s.id)).toContain(session.id);

    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe("expired");
    const event = standin.event("checkout.session.expired", session.id)!;
    await standin.webhooks.idle();
    expect(verified(event.id).type).toBe("checkout.session.expired");
    const twice = await caught(stripe.checkout.sessions.expire(session.id));
    expect(twice.message).toMatch(/status of "expired"/);
    expect(() => standin.pay(session.id)).toThrow(/expired/);
  });

  it("answers Stripe's validation errors with the parameter named", async () => {
    const missing = await caught(stripe.checkout.sessions.create({ ...sessionParams(), success_url: undefined }));
    expect(missing).toMatchObject({ type: "StripeInvalidRequestError", statusCode: 400, code: "parameter_missing", param: "success_url" });
    const noName = await caught(
      stripe.checkout.sessions.create(sessionParams({ line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 900, product_data: {} as { name: string } } }] })),
    );
    expect(noName.param).toBe("line_items[0][price_data][product_data][name]");
    const tooLate = await caught(stripe.checkout.sessions.create(sessionParams({ expires_at: inOneHour() + 2 * 86_400 })));
    expect(tooLate).toMatchObject({ param: "expires_at", message: expect.stringMatching(/less than 24 hours/) });
    const fee = await caught(stripe.checkout.sessions.create(sessionParams({ payment_intent_data: { application_fee_amount: 100 } })));
    expect(fee).toMatchObject({ param: "payment_intent_data[application_fee_amount]", message: expect.stringMatching(/direct payment .* or destination payment/) });
    const tiny = await caught(stripe.checkout.sessions.create(sessionParams({ line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 20, product_data: { name: "x" } } }] })));
    expect(tiny.code).toBe("amount_too_small");
    const unknown = await caught(stripe.checkout.sessions.retrieve("cs_test_nope"));
    expect(unknown).toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such checkout.session: 'cs_test_nope'" });
    const route = await caught(stripe.rawRequest("GET", "/v1/nothing_here"));
    expect(route.message).toMatch(/Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });
});

describe("paying, fees and refunds", () => {
  it("pays a destination charge: PaymentIntent, charge, Stripe's fee, application fee, signed webhooks", async () => {
    const organizer = await stripe.accounts.create({ type: "express", country: "FR", email: "org@example.com" });
    const session = await stripe.checkout.sessions.create(
      sessionParams({ payment_intent_data: { application_fee_amount: 300, transfer_data: { destination: organizer.id }, metadata: { order_id: "o1" } } }),
    );
    standin.pay(session.id, { email: "buyer@example.com" });
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid", customer_details: { email: "buyer@example.com" } });

    const intent = await stripe.paymentIntents.retrieve(paid.payment_intent as string, { expand: ["latest_charge.balance_transaction"] });
    expect(intent).toMatchObject({ status: "succeeded", amount: 6_000, application_fee_amount: 300, transfer_data: { destination: organizer.id }, metadata: { order_id: "o1" } });
    const charge = intent.latest_charge as Stripe.Charge;
    const balance = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(balance).toMatchObject({ amount: 6_000, fee: 204, net: 5_796, type: "charge" }); // 2.9 % + 30
    expect((await stripe.balanceTransactions.retrieve(balance.id)).fee_details[0]).toMatchObject({ type: "stripe_fee", amount: 204 });
    expect(await stripe.applicationFees.retrieve(charge.application_fee as string)).toMatchObject({ amount: 300, account: organizer.id });

    await standin.webhooks.idle();
    const completed = verified(standin.event("checkout.session.completed", session.id)!.id);
    expect((completed.data.object as Stripe.Checkout.Session).payment_intent).toBe(intent.id);
    expect(verified(standin.event("payment_intent.succeeded", intent.id)!.id).type).toBe("payment_intent.succeeded");
  });

  it("refunds partly, then the rest, and refuses more than was paid", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const intentId = standin.pay(session.id).payment_intent as string;
    const part = await stripe.refunds.create({ payment_intent: intentId, amount: 1_000, reason: "requested_by_customer", metadata: { ticket: "t1" }, expand: ["charge"] });
    expect(part).toMatchObject({ object: "refund", amount: 1_000, status: "succeeded", payment_intent: intentId, metadata: { ticket: "t1" }, charge: { object: "charge", amount_refunded: 1_000 } });
    part.charge = (part.charge as Stripe.Charge).id;
    const tooMuch = await caught(stripe.refunds.create({ payment_intent: intentId, amount: 9_000 }));
    expect(tooMuch).toMatchObject({ code: "amount_too_large", param: "amount" });
    const rest = await stripe.refunds.create({ payment_intent: intentId });
    expect(rest.amount).toBe(5_000);
    expect((await stripe.refunds.retrieve(rest.id)).charge).toBe(part.charge);
    const charge = await stripe.charges.retrieve(part.charge as string);
    expect(charge).toMatchObject({ amount_refunded: 6_000, refunded: true });
    const again = await caught(stripe.refunds.create({ payment_intent: intentId }));
    expect(again.code).toBe("charge_already_refunded");
    await standin.webhooks.idle();
    const refunded = standin.events.filter((e) => e.type === "charge.refunded" && e.data.object.id === charge.id);
    expect(refunded.map((e) => (verified(e.id).data.object as Stripe.Charge).amount_refunded)).toEqual([1_000, 6_000]);
  });

  it("completes a delayed payment unpaid, then settles it when the bank answers", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    standin.pay(session.id, { delayed: true });
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: "complete", payment_status: "unpaid" });
    expect(standin.event("payment_intent.succeeded", standin.object(session.id)!.payment_intent as string)).toBeUndefined();
    standin.settleDelayedPayment(session.id, "succeeded");
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe("paid");
    expect(standin.event("checkout.session.async_payment_succeeded", session.id)).toBeDefined();

    const refused = await stripe.checkout.sessions.create(sessionParams());
    const intentId = standin.pay(refused.id, { delayed: true }).payment_intent as string;
    standin.settleDelayedPayment(refused.id, "failed");
    expect((await stripe.paymentIntents.retrieve(intentId)).status).toBe("requires_payment_method");
    expect(standin.event("checkout.session.async_payment_failed", refused.id)).toBeDefined();
    expect(() => standin.settleDelayedPayment(refused.id)).toThrow(/no delayed payment/);
  });

  it("settles a pending refund later with refund.updated", async () => {
    const pending = await StripeStandin.start({ refundStatus: "pending" });
    try {
      const client = pending.client();
      const session = await client.checkout.sessions.create(sessionParams());
      const refund = await client.refunds.create({ payment_intent: pending.pay(session.id).payment_intent as string, amount: 500 });
      expect(refund.status).toBe("pending");
      pending.settleRefund(refund.id, "failed");
      expect(pending.event("refund.updated", refund.id)?.data).toMatchObject({ object: { status: "failed" }, previous_attributes: { status: "pending" } });
      expect((await client.charges.retrieve(refund.charge as string)).amount_refunded).toBe(0);
    } finally {
      await pending.close();
    }
  });

  it("opens a dispute on a payment", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const intentId = standin.pay(session.id).payment_intent as string;
    const dispute = standin.dispute(intentId);
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({ amount: 6_000, status: "needs_response", payment_intent: intentId });
    await standin.webhooks.idle();
    expect(verified(standin.event("charge.dispute.created", dispute.id)!.id).type).toBe("charge.dispute.created");
    standin.closeDispute(dispute.id, "won");
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won.status).toBe("won");
    expect(won.balance_transactions.map((t) => t.amount)).toEqual([-6_000, 6_000]);
    // The dispute fee goes with the withdrawal; this account does not get it back.
    expect(won.balance_transactions.map((t) => [t.fee, t.net, t.fee_details.map((d) => [d.type, d.amount])])).toEqual([
      [1_500, -7_500, [["stripe_fee", 1_500]]],
      [0, 6_000, []],
    ]);
    await standin.webhooks.idle();
    expect(standin.events.filter((e) => e.data.object.id === dispute.id).map((e) => e.type)).toEqual([
      "charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated", "charge.dispute.closed",
    ]);
    expect(verified(standin.event("charge.dispute.closed", dispute.id)!.id).data.previous_attributes).toEqual({ status: "needs_response" });
  });

  it("gives the dispute fee back with the reinstatement when the account gets it returned", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const dispute = standin.dispute(standin.pay(session.id).payment_intent as string);
    standin.closeDispute(dispute.id, "won", { feeReturned: true });
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won.balance_transactions.map((t) => [t.amount, t.fee, t.net, t.fee_details.map((d) => [d.type, d.amount, d.description])])).toEqual([
      [-6_000, 1_500, -7_500, [["stripe_fee", 1_500, "Dispute fee"]]],
      [6_000, -1_500, 7_500, [["stripe_fee", -1_500, "Dispute fee refund"]]],
    ]);
    // Each event carries the dispute as it was then: the withdrawal alone, then both.
    await standin.webhooks.idle();
    const shown = (type: string) => (standin.event(type, dispute.id)!.data.object.balance_transactions as { id: string }[]).map((t) => t.id);
    expect(shown("charge.dispute.created")).toEqual([won.balance_transactions[0].id]);
    expect(shown("charge.dispute.closed")).toEqual(won.balance_transactions.map((t) => t.id));
  });

  it("attaches the balance transaction later when asked, with charge.updated", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const intentId = standin.pay(session.id, { feeLater: true }).payment_intent as string;
    const before = await stripe.paymentIntents.retrieve(intentId, { expand: ["latest_charge.balance_transaction"] });
    expect((before.latest_charge as Stripe.Charge).balance_transaction).toBeNull();
    standin.attachBalanceTransaction(intentId);
    const after = await stripe.paymentIntents.retrieve(intentId, { expand: ["latest_charge.balance_transaction"] });
    const balance = (after.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    expect(balance.fee_details).toEqual([expect.objectContaining({ type: "stripe_fee", amount: Math.round((6_000 * 290) / 10_000) + 30 })]);
    expect(await stripe.balanceTransactions.retrieve(balance.id)).toMatchObject({ id: balance.id, source: after.latest_charge && (after.latest_charge as Stripe.Charge).id });
    await standin.webhooks.idle();
    expect(verified(standin.event("charge.updated", (after.latest_charge as Stripe.Charge).id)!.id).data.previous_attributes).toEqual({ balance_transaction: null });
  });
});

describe("settlement in another currency", () => {
  const balanceOf = async (intentId: string, stripeAccount?: string) =>
    ((await stripe.paymentIntents.retrieve(intentId, { expand: ["latest_charge.balance_transaction"] }, { stripeAccount })).latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
  const shape = (t: Stripe.BalanceTransaction) => ({ amount: t.amount, currency: t.currency, exchange_rate: t.exchange_rate, fee: t.fee, net: t.net, fees: t.fee_details.map((d) => [d.type, d.amount, d.currency]) });

  it("converts a destination charge made on behalf of an account settling in USD: amount, fee, refunds and disputes in USD", async () => {
    const organizer = await stripe.accounts.create({ type: "express", country: "US", email: "usd@example.com" });
    standin.settleIn(organizer.id, "usd");
    expect((await stripe.accounts.retrieve(organizer.id)).default_currency).toBe("usd");
    const session = await stripe.checkout.sessions.create(
      sessionParams({ payment_intent_data: { application_fee_amount: 300, transfer_data: { destination: organizer.id }, on_behalf_of: organizer.id } }),
    );
    const intentId = standin.pay(session.id).payment_intent as string;
    // 60.00 EUR × 1.1 = 66.00 USD; Stripe's 2.9 % + 30 worked out on the USD amount.
    const fee = Math.round((6_600 * 290) / 10_000) + 30;
    expect(shape(await balanceOf(intentId))).toEqual({ amount: 6_600, currency: "usd", exchange_rate: 1.1, fee, net: 6_600 - fee, fees: [["stripe_fee", fee, "usd"]] });
    // The PaymentIntent and charge stay in the buyer's currency.
    expect(await stripe.paymentIntents.retrieve(intentId)).toMatchObject({ amount: 6_000, currency: "eur" });

    const refund = await stripe.refunds.create({ payment_intent: intentId, amount: 1_000, expand: ["balance_transaction"] });
    expect(refund).toMatchObject({ amount: 1_000, currency: "eur" });
    expect(shape(refund.balance_transaction as Stripe.BalanceTransaction)).toEqual({ amount: -1_100, currency: "usd", exchange_rate: 1.1, fee: 0, net: -1_100, fees: [] });

    const dispute = standin.dispute(intentId);
    standin.closeDispute(dispute.id, "won", { feeReturned: true });
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won).toMatchObject({ amount: 6_000, currency: "eur" });
    expect(won.balance_transactions.map(shape)).toEqual([
      { amount: -6_600, currency: "usd", exchange_rate: 1.1, fee: 1_500, net: -8_100, fees: [["stripe_fee", 1_500, "usd"]] },
      { amount: 6_600, currency: "usd", exchange_rate: 1.1, fee: -1_500, net: 8_100, fees: [["stripe_fee", -1_500, "usd"]] },
    ]);
  });

  it("converts a direct charge on its account and a platform charge on the platform, each by its own settlement currency", async () => {
    const account = await stripe.accounts.create({ type: "standard" });
    standin.settleIn(account.id, "usd");
    const asAccount = standin.client({ stripeAccount: account.id });
    const direct = await asAccount.checkout.sessions.create(sessionParams({ payment_intent_data: { application_fee_amount: 250 } }));
    const directFee = Math.round((6_600 * 290) / 10_000) + 30;
    // The application fee in fee_details is converted with the rest.
    expect(shape(await balanceOf(standin.pay(direct.id).payment_intent as string, account.id))).toEqual({
      amount: 6_600, currency: "usd", exchange_rate: 1.1, fee: directFee + 275, net: 6_600 - directFee - 275, fees: [["stripe_fee", directFee, "usd"], ["application_fee", 275, "usd"]],
    });

    // A destination charge not on behalf of that account settles on the platform: in EUR, unconverted.
    const platform = await stripe.checkout.sessions.create(sessionParams({ payment_intent_data: { application_fee_amount: 300, transfer_data: { destination: account.id } } }));
    expect(shape(await balanceOf(standin.pay(platform.id).payment_intent as string))).toEqual({ amount: 6_000, currency: "eur", exchange_rate: null, fee: 204, net: 5_796, fees: [["stripe_fee", 204, "eur"]] });

    // A platform settling in JPY (no minor unit): 60.00 EUR × 160 = 9 600 JPY.
    standin.settleIn(null, "jpy");
    try {
      const yen = await stripe.checkout.sessions.create(sessionParams());
      const yenFee = Math.round((9_600 * 290) / 10_000) + 30;
      expect(shape(await balanceOf(standin.pay(yen.id).payment_intent as string))).toEqual({ amount: 9_600, currency: "jpy", exchange_rate: 160, fee: yenFee, net: 9_600 - yenFee, fees: [["stripe_fee", yenFee, "jpy"]] });
      // A conversion the test stated no rate for is the test's mistake, said so before anything is paid.
      standin.settleIn(null, "gbp");
      const unstated = await stripe.checkout.sessions.create(sessionParams());
      expect(() => standin.pay(unstated.id)).toThrow(/no exchange rate from eur to gbp/);
      expect((await stripe.checkout.sessions.retrieve(unstated.id)).status).toBe("open");
    } finally {
      standin.settleIn(null, null);
    }
  });
});

describe("idempotency", () => {
  it("replays the same request and refuses the same key with other parameters", async () => {
    const first = await stripe.checkout.sessions.create(sessionParams({ client_reference_id: "idem" }), { idempotencyKey: "order-idem-1" });
    const replay = await stripe.checkout.sessions.create(sessionParams({ client_reference_id: "idem", expires_at: first.expires_at }), { idempotencyKey: "order-idem-1" });
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const other = await caught(stripe.checkout.sessions.create(sessionParams({ client_reference_id: "other", expires_at: first.expires_at }), { idempotencyKey: "order-idem-1" }));
    expect(other).toMatchObject({ type: "StripeIdempotencyError", rawType: "idempotency_error", statusCode: 400 });
    const endpoint = await caught(stripe.customers.create({}, { idempotencyKey: "order-idem-1" }));
    expect(endpoint.message).toMatch(/same endpoint/);
  });

  it("lets the client retry through an outage without making a second object", async () => {
    const retrying = standin.client({ maxNetworkRetries: 2 });
    standin.failNext(500);
    const before = standin.requests.length;
    const customer = await retrying.customers.create({ email: "retry@example.com" });
    const attempts = standin.requests.slice(before);
    expect(attempts).toHaveLength(2);
    expect(attempts[0].idempotencyKey).toBe(attempts[1].idempotencyKey);
    expect(attempts[0].idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(customer.email).toBe("retry@example.com");
  });
});

describe("Connect", () => {
  it("onboards an account through an account link and announces it with account.updated", async () => {
    const account = await stripe.accounts.create({ type: "express", email: "org2@example.com", capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
    expect(account).toMatchObject({ charges_enabled: false, payouts_enabled: false, details_submitted: false });
    const link = await stripe.accountLinks.create({ account: account.id, type: "account_onboarding", return_url: "http://127.0.0.1:1/org/payouts/done", refresh_url: "http://127.0.0.1:1/org/payouts/retry" });
    expect(link.url).toBe(`${standin.baseUrl}/connect/onboarding/${account.id}`);
    expect(await (await fetch(link.url)).text()).toContain("Finish onboarding");
    const finished = await fetch(link.url, { method: "POST", redirect: "manual" });
    expect(finished.status).toBe(303);
    expect(finished.headers.get("location")).toBe("http://127.0.0.1:1/org/payouts/done");
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({ charges_enabled: true, payouts_enabled: true, details_submitted: true });
    await standin.webhooks.idle();
    const event = verified(standin.event("account.updated", account.id)!.id);
    expect(event.account).toBe(account.id);
  });

  it("pays a connected account out to its bank, on that account, and fails a payout later", async () => {
    const account = await stripe.accounts.create({ type: "express", email: "payouts@example.com" });
    const payout = standin.payout(account.id, { amount: 5_000, currency: "eur" });
    expect(await stripe.payouts.retrieve(payout.id, {}, { stripeAccount: account.id })).toMatchObject({ amount: 5_000, currency: "eur", status: "paid" });
    await expect(stripe.payouts.retrieve(payout.id)).rejects.toMatchObject({ statusCode: 404 });
    standin.failPayout(payout.id);
    await standin.webhooks.idle();
    const failed = verified(standin.event("payout.failed", payout.id)!.id);
    expect(failed).toMatchObject({ account: account.id, data: { object: { status: "failed", failure_code: "account_closed" }, previous_attributes: { status: "paid" } } });
    expect(standin.events.filter((e) => e.data.object.id === payout.id).map((e) => e.type)).toEqual(["payout.created", "payout.paid", "payout.failed"]);
  });

  it("keeps a connected account's direct charges to requests made with its Stripe-Account header", async () => {
    const account = await stripe.accounts.create({ type: "standard" });
    const asAccount = standin.client({ stripeAccount: account.id });
    const session = await asAccount.checkout.sessions.create(sessionParams({ payment_intent_data: { application_fee_amount: 250 } }));
    expect(session.lastResponse.stripeAccount).toBe(account.id);
    expect((await caught(stripe.checkout.sessions.retrieve(session.id))).statusCode).toBe(404);
    const stranger = await caught(standin.client({ stripeAccount: "acct_unknown" }).checkout.sessions.retrieve(session.id));
    expect(stranger).toMatchObject({ type: "StripePermissionError", statusCode: 403, code: "account_invalid" });
    const intentId = standin.pay(session.id).payment_intent as string;
    const intent = await asAccount.paymentIntents.retrieve(intentId, { expand: ["latest_charge.balance_transaction"] });
    const balance = (intent.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    expect(balance.fee_details.map((f) => [f.type, f.amount])).toEqual([["stripe_fee", 204], ["application_fee", 250]]);
    expect(balance.net).toBe(6_000 - 204 - 250);
    await standin.webhooks.idle();
    expect(verified(standin.event("checkout.session.completed", session.id)!.id).account).toBe(account.id);
  });
});

describe("saved cards", () => {
  it("saves a card through a SetupIntent, lists it and detaches it", async () => {
    const customer = await stripe.customers.create({ email: "saver@example.com", name: "Sam Saver", metadata: { user_id: "u1" } });
    const setup = await stripe.setupIntents.create({ customer: customer.id, usage: "off_session" });
    expect(setup).toMatchObject({ status: "requires_payment_method", client_secret: expect.stringMatching(new RegExp(`^${setup.id}_secret_`)) });
    standin.confirmSetupIntent(setup.id);
    expect((await stripe.setupIntents.retrieve(setup.id)).status).toBe("succeeded");
    const cards = await stripe.paymentMethods.list({ customer: customer.id, type: "card" });
    expect(cards.data.map((c) => c.card?.last4)).toEqual(["4242"]);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data).toHaveLength(1);
    const detached = await stripe.paymentMethods.detach(cards.data[0].id);
    expect(detached.customer).toBeNull();
    expect((await stripe.paymentMethods.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await caught(stripe.paymentMethods.detach(cards.data[0].id))).message).toMatch(/not attached/);
  });

  it("saves the card of a paying customer when payment_intent_data asks to", async () => {
    const customer = await stripe.customers.create({ email: "keeper@example.com" });
    const session = await stripe.checkout.sessions.create(sessionParams({ customer: customer.id, payment_intent_data: { setup_future_usage: "off_session" } }));
    standin.pay(session.id);
    expect((await stripe.paymentMethods.list({ customer: customer.id })).data).toHaveLength(1);
  });
});

describe("webhook delivery", () => {
  it("retries until the endpoint answers 2xx", async () => {
    receiver.statuses.push(500, 503);
    const customer = await stripe.customers.create({});
    const setup = await stripe.setupIntents.create({ customer: customer.id });
    const event = standin.confirmSetupIntent(setup.id) && standin.event("setup_intent.succeeded", setup.id)!;
    await standin.webhooks.idle();
    expect(standin.webhooks.deliveries.filter((d) => d.eventId === event.id).map((d) => d.status)).toEqual([500, 503, 200]);
  });

  it("delivers an event twice, or held events out of order, each signed afresh", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    standin.webhooks.hold();
    standin.pay(session.id);
    const released = await standin.webhooks.release("reversed");
    expect(released.map((e) => e.type)).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);
    const start = receiver.received.length - 2;
    expect(receiver.types.slice(start)).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);

    const completed = released[0];
    const second = await standin.webhooks.redeliver(completed);
    expect(second).toMatchObject({ status: 200, attempt: 2 });
    const copies = receiver.received.filter((r) => r.body.includes(`"id": "${completed.id}"`));
    expect(copies).toHaveLength(2);
    for (const copy of copies) expect(Stripe.webhooks.constructEvent(copy.body, copy.signature!, standin.webhooks.secret).id).toBe(completed.id);
  });

  it("forges signatures that the real constructEvent refuses", async () => {
    const event = standin.events.at(-1)!;
    for (const kind of ["wrong-secret", "tampered-body", "stale-timestamp", "no-signature"] as const) {
      const { body, headers } = standin.webhooks.sign(event, kind);
      expect(() => Stripe.webhooks.constructEvent(body, headers["stripe-signature"] ?? "", standin.webhooks.secret, 300), kind).toThrow(Stripe.errors.StripeSignatureVerificationError);
    }
    const genuine = standin.webhooks.sign(event);
    expect(Stripe.webhooks.constructEvent(genuine.body, genuine.headers["stripe-signature"], standin.webhooks.secret, 300).id).toBe(event.id);
    const delivery = await standin.webhooks.deliverForged(event, "wrong-secret");
    expect(delivery.forged).toBe("wrong-secret");
  });
});

describe("hosted checkout page", () => {
  it("shows the amount and pays, then goes to success_url with the session id", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("€60.00");
    expect(page).toContain("Conference pass × 2");
    const paid = await fetch(`${standin.baseUrl}/checkout/${session.id}/pay`, { method: "POST", body: new URLSearchParams({ email: "page@example.com" }), redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`http://127.0.0.1:1/orders/o1?session=${session.id}`);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ payment_status: "paid", customer_details: { email: "page@example.com" } });
    expect(await (await fetch(session.url!)).text()).toContain("This checkout session is complete.");
  });
});
