/**
 * What Stripe tells after a sale, on the real server with the Stripe stand-in: a processing
 * fee known only once the charge's balance transaction exists, payouts to the organizer's
 * connected account (events carrying `account`), and disputes opened, won and lost, delivered
 * in order, reversed and twice, with Stripe's dispute fee (and its return on a won dispute
 * where the account gets it back); and for an organizer whose account settles EUR sales in
 * USD, those fees in USD. Each ends in the ledger and the revenue report.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import type { TestClient } from "../support/http-client.ts";
import type { StripeEvent } from "../support/stripe-standin/index.ts";
import { buy, checkout, eventSettlingIn, paidTicketType, type RevenueWorld, startRevenueWorld } from "./revenue-support.ts";

let world: RevenueWorld;
let owner: TestClient, buyer: TestClient;
let eventId: string, organizationId: string, typeId: string, accountId: string;

beforeAll(async () => {
  world = await startRevenueWorld({ refundStatus: "succeeded", exchangeRates: { "eur:usd": 1.1 } });
  const admin = await firstAdmin(world.server);
  [owner, buyer] = await Promise.all(["owner", "buyer"].map((name) => verifiedUser(world.server, world.smtp, `${name}@example.org`)));
  ({ eventId, organizationId } = world.fixture.event("owner@example.org", "Settlement Summit"));
  typeId = paidTicketType(world, eventId, 4_000);
  expect((await admin.put(`/api/admin/organizations/${organizationId}/commission`, { commissionBp: 500 })).status).toBe(200);
  // The organizer is paid through Connect: destination charges, and payouts on that account.
  const account = await world.standin.client().accounts.create({ type: "express", email: "owner@example.org" });
  accountId = account.id;
  world.sql.prepare("update organizations set payout_account_id = ?, payout_ready = 1 where id = ?").run(accountId, organizationId);
}, 240_000);
afterAll(async () => {
  await world?.close();
});

const ledger = (orderId: string) => world.sql.prepare("select kind, amount from ledger_entries where order_id = ? order by kind, amount").all(orderId) as { kind: string; amount: number }[];
const stripeFee = (amount: number) => Math.round((amount * 290) / 10_000) + 30;
const eventsAbout = (id: string) => world.standin.events.filter((e) => e.data.object.id === id);
const orderRow = (orderId: string) => world.sql.prepare("select status, dispute_status from orders where id = ?").get(orderId) as { status: string; dispute_status: string | null };
const ticketRows = (orderId: string) => world.sql.prepare("select status, status_reason from tickets where order_id = ?").all(orderId) as { status: string; status_reason: string }[];

describe("the processing fee", () => {
  it("is booked once when the charge's balance transaction arrives after the payment", async () => {
    const { orderId, sessionId } = await checkout(world, buyer, eventId, typeId, 1);
    world.standin.pay(sessionId, { feeLater: true });
    await world.standin.webhooks.idle();
    expect(orderRow(orderId).status).toBe("paid");
    const paymentId = (world.sql.prepare("select payment_id from orders where id = ?").get(orderId) as { payment_id: string }).payment_id;
    expect(ledger(orderId).map((e) => e.kind)).toEqual(["commission", "sale"]);

    const charge = world.standin.attachBalanceTransaction(paymentId);
    await world.standin.webhooks.idle();
    expect(ledger(orderId)).toContainEqual({ kind: "provider_fee", amount: -stripeFee(4_000) });
    // Delivered again: Stripe's event id is known; even a new event about it books nothing more.
    const updated = world.standin.event("charge.updated", charge.id)!;
    expect((await world.standin.webhooks.redeliver(updated)).responseBody).toContain("duplicate");
    expect((await world.standin.webhooks.redeliver({ ...updated, id: `${updated.id}x` })).status).toBe(200);
    expect(ledger(orderId).filter((e) => e.kind === "provider_fee")).toHaveLength(1);
    // The fee read from Stripe went through the real client: balance transaction expanded on the PaymentIntent.
    expect(world.standin.requests.some((r) => r.path === `/v1/payment_intents/${paymentId}` && JSON.stringify(r.params).includes("latest_charge.balance_transaction"))).toBe(true);
  });
});

describe("payouts", () => {
  it("book paid payouts on the organization; a failed one nets to zero in either order", async () => {
    const paid = world.standin.payout(accountId, { amount: 12_000, currency: "eur" });
    await world.standin.webhooks.idle();
    expect(world.standin.event("payout.paid", paid.id)!.account).toBe(accountId);
    const entries = () => world.sql.prepare("select organization_id, event_id, amount from ledger_entries where kind = 'payout' order by reference").all() as { organization_id: string; event_id: string | null; amount: number }[];
    expect(entries()).toEqual([{ organization_id: organizationId, event_id: null, amount: -12_000 }]);

    // Paid, then sent back by the bank; delivered failed first.
    world.standin.webhooks.hold();
    const bounced = world.standin.payout(accountId, { amount: 3_000, currency: "eur" });
    world.standin.failPayout(bounced.id);
    await world.standin.webhooks.release("reversed");
    await world.standin.webhooks.idle();
    expect(entries().reduce((s, e) => s + e.amount, 0)).toBe(-12_000);

    const report = await owner.get(`/api/organizations/${organizationId}/revenue?group=month`);
    expect(report.status).toBe(200);
    expect(report.body.report.totals[0]).toMatchObject({ currency: "eur", payouts: 12_000 });
  });

  it("ignores a payout on an account no organization has", async () => {
    const stranger = await world.standin.client().accounts.create({ type: "express", email: "someone@example.org" });
    const payout = world.standin.payout(stranger.id, { amount: 999, currency: "eur" });
    await world.standin.webhooks.idle();
    expect(world.standin.webhooks.deliveries.filter((d) => d.eventId === world.standin.event("payout.paid", payout.id)!.id).map((d) => d.status)).toEqual([200]);
    expect(world.sql.prepare("select count(*) as n from ledger_entries where reference = ?").get(payout.id)).toEqual({ n: 0 });
  });
});

describe("disputes", () => {
  const disputeLedger = (orderId: string) => ledger(orderId).filter((e) => e.kind.startsWith("dispute"));

  it("won: the amount comes back and the order stays valid", async () => {
    const order = await buy(world, buyer, eventId, typeId, 1);
    const dispute = world.standin.dispute(order.paymentId, "fraudulent");
    await world.standin.webhooks.idle();
    expect(orderRow(order.orderId)).toEqual({ status: "paid", dispute_status: "open" });
    expect(disputeLedger(order.orderId)).toEqual([{ kind: "dispute", amount: -4_000 }]);

    world.standin.closeDispute(dispute.id, "won");
    await world.standin.webhooks.idle();
    expect(disputeLedger(order.orderId)).toEqual([{ kind: "dispute", amount: -4_000 }, { kind: "dispute_reversal", amount: 4_000 }]);
    expect(orderRow(order.orderId)).toEqual({ status: "paid", dispute_status: "won" });
    expect(ticketRows(order.orderId).map((t) => t.status)).toEqual(["valid"]);
    expect(world.sql.prepare("select status from disputes where provider_dispute_id = ?").get(dispute.id)).toEqual({ status: "won" });
  });

  it("lost: the amount stays taken and the tickets are revoked with the reason", async () => {
    const order = await buy(world, buyer, eventId, typeId, 2);
    const before = (world.sql.prepare("select sold from ticket_types where id = ?").get(typeId) as { sold: number }).sold;
    const dispute = world.standin.dispute(order.paymentId, "product_not_received");
    world.standin.closeDispute(dispute.id, "lost");
    await world.standin.webhooks.idle();
    expect(disputeLedger(order.orderId)).toEqual([{ kind: "dispute", amount: -8_000 }]);
    expect(orderRow(order.orderId).dispute_status).toBe("lost");
    expect(ticketRows(order.orderId)).toEqual([
      { status: "revoked", status_reason: "Revoked: the payment was taken back after a lost dispute" },
      { status: "revoked", status_reason: "Revoked: the payment was taken back after a lost dispute" },
    ]);
    expect((world.sql.prepare("select sold from ticket_types where id = ?").get(typeId) as { sold: number }).sold).toBe(before - 2);
    // The buyer's order page says so.
    const view = await buyer.get(`/api/orders/${order.orderId}`);
    expect(view.body.order).toMatchObject({ disputeStatus: "lost" });
  });

  it("nets the same whatever order the events arrive in, and twice", async () => {
    const won = await buy(world, buyer, eventId, typeId, 1);
    const lost = await buy(world, buyer, eventId, typeId, 1);
    world.standin.webhooks.hold();
    const a = world.standin.dispute(won.paymentId);
    world.standin.closeDispute(a.id, "won");
    const b = world.standin.dispute(lost.paymentId);
    world.standin.closeDispute(b.id, "lost");
    const released = await world.standin.webhooks.release("reversed");
    expect(released.map((e: StripeEvent) => e.type)[0]).toBe("charge.dispute.closed");
    await world.standin.webhooks.idle();
    for (const event of [...eventsAbout(a.id), ...eventsAbout(b.id)]) await world.standin.webhooks.redeliver(event);
    expect(disputeLedger(won.orderId).reduce((s, e) => s + e.amount, 0)).toBe(0);
    expect(disputeLedger(lost.orderId)).toEqual([{ kind: "dispute", amount: -4_000 }]);
    expect(world.sql.prepare("select status from disputes where provider_dispute_id = ?").get(a.id)).toEqual({ status: "won" });
    expect(world.sql.prepare("select status from disputes where provider_dispute_id = ?").get(b.id)).toEqual({ status: "lost" });
    expect(orderRow(won.orderId).dispute_status).toBe("won");
    expect(ticketRows(lost.orderId).map((t) => t.status)).toEqual(["revoked"]);
  });

  it("books Stripe's dispute fee once: kept when lost, netted to zero when won with the fee given back", async () => {
    const feeEntries = (orderId: string) =>
      world.sql.prepare("select l.amount, l.reference from ledger_entries l join orders o on o.id = l.order_id where l.order_id = ? and l.kind = 'provider_fee' and l.reference != o.payment_id order by l.amount").all(orderId) as { amount: number; reference: string }[];
    const movements = (disputeId: string) => (world.standin.object(disputeId)!.balance_transactions as { id: string }[]).map((t) => t.id);
    const lost = await buy(world, buyer, eventId, typeId, 1);
    const won = await buy(world, buyer, eventId, typeId, 1);
    const feesBefore = (await owner.get(`/api/events/${eventId}/revenue?group=month`)).body.report.totals[0].fees as number;

    world.standin.webhooks.hold();
    const a = world.standin.dispute(lost.paymentId, "fraudulent");
    world.standin.closeDispute(a.id, "lost");
    const b = world.standin.dispute(won.paymentId, "fraudulent");
    world.standin.closeDispute(b.id, "won", { feeReturned: true });
    await world.standin.webhooks.release("reversed");
    await world.standin.webhooks.idle();
    // Stripe delivering each again, and the same news under new event ids: nothing more.
    for (const event of [...eventsAbout(a.id), ...eventsAbout(b.id)]) {
      await world.standin.webhooks.redeliver(event);
      expect((await world.standin.webhooks.redeliver({ ...event, id: `${event.id}_again` })).status).toBe(200);
    }

    expect(feeEntries(lost.orderId)).toEqual([{ amount: -1_500, reference: movements(a.id)[0] }]);
    expect(feeEntries(won.orderId)).toEqual([
      { amount: -1_500, reference: movements(b.id)[0] },
      { amount: 1_500, reference: movements(b.id)[1] },
    ]);
    const totals = (await owner.get(`/api/events/${eventId}/revenue?group=month`)).body.report.totals[0];
    expect(totals.fees).toBe(feesBefore + 1_500);
    expect(totals.net).toBe(totals.gross - totals.refunds - totals.disputes - totals.fees - totals.commission);
    // The organizer's dispute list says what each dispute cost in fees.
    const list = (await owner.get(`/api/events/${eventId}/revenue/disputes`)).body.disputes as { orderId: string; fees: { amount: number; currency: string }[] }[];
    expect(list.find((d) => d.orderId === lost.orderId)?.fees).toEqual([{ amount: 1_500, currency: "eur" }]);
    expect(list.find((d) => d.orderId === won.orderId)?.fees).toEqual([]);
  });

  it("shows in the event's report and the organizer's dispute list", async () => {
    const report = await owner.get(`/api/events/${eventId}/revenue?group=month`);
    const disputes = world.sql.prepare("select coalesce(sum(amount), 0) as n from disputes where status in ('open', 'lost')").get() as { n: number };
    expect(report.body.report.totals[0].disputes).toBe(disputes.n);
    const list = await owner.get(`/api/events/${eventId}/revenue/disputes`);
    expect(list.status).toBe(200);
    expect(list.body.disputes.map((d: { status: string }) => d.status).sort()).toEqual(["lost", "lost", "lost", "won", "won", "won"]);
  });
});

describe("fees in the settlement currency", () => {
  it("a EUR sale for an organizer settling in USD books Stripe's fees in USD, on the USD row, apart from the EUR sales", async () => {
    const usd = await eventSettlingIn(world, "owner@example.org", "Dollar Summit", "usd", 4_000, 500);
    const usdType = usd.typeId;
    const entries = (orderId: string) =>
      world.sql.prepare("select kind, amount, currency from ledger_entries where order_id = ? order by kind, currency, amount desc").all(orderId) as { kind: string; amount: number; currency: string }[];
    // 40.00 EUR on behalf of the organizer settles as 44.00 USD at the stated 1.1; Stripe's fee is in USD.
    const usdFee = stripeFee(4_400);

    // The fee told only later, by charge.updated, as for the EUR organizer above.
    const { orderId, sessionId } = await checkout(world, buyer, usd.eventId, usdType, 1);
    world.standin.pay(sessionId, { feeLater: true });
    await world.standin.webhooks.idle();
    const paymentId = (world.sql.prepare("select payment_id from orders where id = ?").get(orderId) as { payment_id: string }).payment_id;
    world.standin.attachBalanceTransaction(paymentId);
    await world.standin.webhooks.idle();
    // The platform's commission is a share of the EUR payment: in EUR.
    expect(entries(orderId)).toEqual([
      { kind: "commission", amount: -200, currency: "eur" },
      { kind: "provider_fee", amount: -usdFee, currency: "usd" },
      { kind: "sale", amount: 4_000, currency: "eur" },
    ]);

    // A lost dispute: the EUR amount taken back, Stripe's dispute fee in USD.
    const disputed = await buy(world, buyer, usd.eventId, usdType, 1);
    const dispute = world.standin.dispute(disputed.paymentId, "fraudulent");
    world.standin.closeDispute(dispute.id, "lost");
    await world.standin.webhooks.idle();
    expect(entries(disputed.orderId).filter((e) => e.kind === "dispute" || e.kind === "provider_fee")).toEqual([
      { kind: "dispute", amount: -4_000, currency: "eur" },
      { kind: "provider_fee", amount: -usdFee, currency: "usd" },
      { kind: "provider_fee", amount: -1_500, currency: "usd" },
    ]);

    const report = (await owner.get(`/api/events/${usd.eventId}/revenue?group=month`)).body.report as { totals: { currency: string; gross: number; disputes: number; fees: number; commission: number; net: number }[] };
    const [eur, dollars] = report.totals;
    expect(report.totals.map((t) => t.currency)).toEqual(["eur", "usd"]);
    expect(eur).toMatchObject({ gross: 8_000, disputes: 4_000, fees: 0, commission: 400, net: 8_000 - 4_000 - 400 });
    expect(dollars).toMatchObject({ gross: 0, disputes: 0, fees: 2 * usdFee + 1_500, commission: 0, net: -(2 * usdFee + 1_500) });
    const organization = (await owner.get(`/api/organizations/${usd.organizationId}/revenue?group=month`)).body.report.totals as { currency: string; fees: number }[];
    expect(organization.map((t) => [t.currency, t.fees])).toEqual([["eur", 0], ["usd", 2 * usdFee + 1_500]]);
    const csv = await owner.get(`/api/events/${usd.eventId}/revenue?group=month&format=csv`);
    expect(csv.body as string).toMatch(new RegExp(`^\\d{4}-\\d{2},USD,0\\.00,0\\.00,0\\.00,${((2 * usdFee + 1_500) / 100).toFixed(2).replace(".", "\\.")},`, "m"));
    // The organizer's dispute list gives the fee in the currency it was taken in.
    const list = (await owner.get(`/api/events/${usd.eventId}/revenue/disputes`)).body.disputes as { orderId: string; amount: number; currency: string; fees: unknown }[];
    expect(list.find((d) => d.orderId === disputed.orderId)).toMatchObject({ amount: 4_000, currency: "eur", fees: [{ amount: 1_500, currency: "usd" }] });
    // The EUR organizer's sales, settled in EUR, still book their fees in EUR.
    expect((await owner.get(`/api/events/${eventId}/revenue?group=month`)).body.report.totals.map((t: { currency: string }) => t.currency)).toEqual(["eur"]);
  });
});
