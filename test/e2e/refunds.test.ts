/**
 * Refunds over HTTP on the real server with the Stripe stand-in as its provider: tickets
 * bought through the real checkout, organizer refunds (one ticket, then the rest) that stay
 * pending until the stand-in's signed webhook settles them, the attendee's own cancellation
 * with the event's deadline and fee, a dispute, and who may do which; then the revenue reports
 * of all that (event, organization, platform), their CSV, and the commission settings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import type { TestClient } from "../support/http-client.ts";
import { buy, paidTicketType, type RevenueWorld, startRevenueWorld } from "./revenue-support.ts";

let world: RevenueWorld;
let admin: TestClient, owner: TestClient, cohost: TestClient, moderator: TestClient, buyer: TestClient, outsider: TestClient;
let eventId: string;
let organizationId: string;
let typeId: string;

// Up to three server starts on a busy machine (see startRevenueWorld).
beforeAll(async () => {
  world = await startRevenueWorld({ refundStatus: "pending" });
  admin = await firstAdmin(world.server);
  [owner, cohost, moderator, buyer, outsider] = await Promise.all(
    ["owner", "cohost", "moderator", "buyer", "outsider"].map((name) => verifiedUser(world.server, world.smtp, `${name}@example.org`)),
  );
  ({ eventId, organizationId } = world.fixture.event("owner@example.org", "Refund Summit"));
  world.fixture.teamMember(eventId, "cohost@example.org", "co_host");
  world.fixture.teamMember(eventId, "moderator@example.org", "moderator");
  // Attendees may cancel until 24 hours before the start (in about 48 hours), keeping 10 %.
  world.sql.prepare("update events set starts_at = ?, cancel_deadline_hours = 24, cancel_fee_bp = 1000 where id = ?").run(new Date(Date.now() + 48 * 3_600_000).toISOString(), eventId);
  typeId = paidTicketType(world, eventId, 2_500);
  expect((await admin.put(`/api/admin/organizations/${organizationId}/commission`, { commissionBp: 500 })).status).toBe(200);
}, 240_000);
afterAll(async () => {
  await world?.close();
});

const refundsOf = (orderId: string) => world.sql.prepare("select amount, status, provider_refund_id from refunds where order_id = ? order by created_at").all(orderId) as { amount: number; status: string; provider_refund_id: string }[];
const ticketStatuses = (orderId: string) => (world.sql.prepare("select status from tickets where order_id = ? order by created_at, id").all(orderId) as { status: string }[]).map((t) => t.status);

describe("organizer refunds", () => {
  it("refund one ticket, settled by the provider's webhook, then the rest", async () => {
    const order = await buy(world, buyer, eventId, typeId, 2);
    expect(order.total).toBe(5_000);
    expect(world.sql.prepare("select kind, amount from ledger_entries where order_id = ? order by kind").all(order.orderId)).toEqual([
      { kind: "commission", amount: -250 },
      { kind: "provider_fee", amount: -175 },
      { kind: "sale", amount: 5_000 },
    ]);

    const view = await owner.get(`/api/orders/${order.orderId}/refunds`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ remaining: 5_000, order: { status: "paid", total: 5_000 } });
    expect(view.body.tickets.map((t: { worth: number }) => t.worth)).toEqual([2_500, 2_500]);

    const first = await cohost.post(`/api/orders/${order.orderId}/refunds`, { ticketIds: [order.tickets[0]], reason: "Cannot come" });
    expect(first.status).toBe(202);
    expect(first.body.result).toMatchObject({ kind: "refund", amount: 2_500, status: "pending" });
    await world.standin.webhooks.idle();
    // refund.created (pending) and charge.refunded have been delivered: nothing is settled yet.
    expect(refundsOf(order.orderId)).toMatchObject([{ amount: 2_500, status: "pending" }]);
    expect(ticketStatuses(order.orderId)).toEqual(["valid", "valid"]);

    world.standin.settleRefund(refundsOf(order.orderId)[0].provider_refund_id, "succeeded");
    await world.standin.webhooks.idle();
    expect(refundsOf(order.orderId)).toMatchObject([{ status: "succeeded" }]);
    expect(ticketStatuses(order.orderId).sort()).toEqual(["refunded", "valid"]);
    expect((await buyer.get(`/api/orders/${order.orderId}`)).body.order).toMatchObject({ status: "partially_refunded", refunded: 2_500 });
    // The buyer hears of it once the money is on its way back, not when it was asked for.
    const mail = await world.smtp.next("buyer@example.org", (m) => m.subject.startsWith("Refund processed"), 30_000);
    expect(mail.text).toContain("Your refund of €25.00 for");
    expect(mail.text).toContain("The rest of your order stays valid.");
    expect(mail.text).toContain("Reason: Cannot come");

    const rest = await owner.post(`/api/orders/${order.orderId}/refunds`, { reason: "Event moved" });
    expect(rest.body.result).toMatchObject({ kind: "refund", amount: 2_500 });
    world.standin.settleRefund(refundsOf(order.orderId)[1].provider_refund_id, "succeeded");
    await world.standin.webhooks.idle();
    expect(ticketStatuses(order.orderId)).toEqual(["refunded", "refunded"]);
    expect(world.sql.prepare("select status, refunded from orders where id = ?").get(order.orderId)).toEqual({ status: "refunded", refunded: 5_000 });
    expect((await world.smtp.next("buyer@example.org", (m) => m.subject.startsWith("Refund processed") && m.text.includes("Event moved"), 30_000)).text).toContain("Your whole order is refunded.");
    const again = await owner.post(`/api/orders/${order.orderId}/refunds`, { reason: "Twice" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("order_not_refundable");
  });

  it("lets only owners, co-hosts and organization admins refund; validates the body", async () => {
    const order = await buy(world, buyer, eventId, typeId, 1);
    expect((await moderator.post(`/api/orders/${order.orderId}/refunds`, { reason: "No" })).status).toBe(403);
    expect((await outsider.post(`/api/orders/${order.orderId}/refunds`, { reason: "No" })).status).toBe(404);
    expect((await buyer.post(`/api/orders/${order.orderId}/refunds`, { reason: "Mine" })).status).toBe(404);
    const invalid = await owner.post(`/api/orders/${order.orderId}/refunds`, { amount: -3, reason: "" });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["amount", "reason"]);
    const tooMuch = await owner.post(`/api/orders/${order.orderId}/refunds`, { amount: 2_501, reason: "Too much" });
    expect(tooMuch.body.error.code).toBe("refund_too_large");
    expect(refundsOf(order.orderId)).toEqual([]);
  });
});

describe("attendee cancellation", () => {
  it("quotes the fee, refunds the rest and releases the seats", async () => {
    const order = await buy(world, buyer, eventId, typeId, 2);
    const soldBefore = (world.sql.prepare("select sold from ticket_types where id = ?").get(typeId) as { sold: number }).sold;
    const quote = await buyer.get(`/api/orders/${order.orderId}/cancellation`);
    expect(quote.body.quote).toMatchObject({ allowed: true, refundable: 5_000, fee: 500, refund: 4_500 });
    expect((await outsider.get(`/api/orders/${order.orderId}/cancellation`)).status).toBe(404);
    expect((await owner.post(`/api/orders/${order.orderId}/cancel`)).status).toBe(404);

    const cancelled = await buyer.post(`/api/orders/${order.orderId}/cancel`);
    expect(cancelled.status).toBe(202);
    world.standin.settleRefund(refundsOf(order.orderId)[0].provider_refund_id, "succeeded");
    await world.standin.webhooks.idle();
    expect(world.sql.prepare("select status, refunded from orders where id = ?").get(order.orderId)).toEqual({ status: "cancelled", refunded: 4_500 });
    expect((world.sql.prepare("select sold from ticket_types where id = ?").get(typeId) as { sold: number }).sold).toBe(soldBefore - 2);
    expect((await buyer.post(`/api/orders/${order.orderId}/cancel`)).body.error.code).toBe("nothing_to_cancel");
  });

  it("is refused once the deadline has passed", async () => {
    const order = await buy(world, buyer, eventId, typeId, 1);
    world.sql.prepare("update events set cancel_deadline_hours = 72 where id = ?").run(eventId);
    try {
      const refused = await buyer.post(`/api/orders/${order.orderId}/cancel`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe("cancellation_deadline_passed");
      expect(refundsOf(order.orderId)).toEqual([]);
    } finally {
      world.sql.prepare("update events set cancel_deadline_hours = 24 where id = ?").run(eventId);
    }
  });
});

describe("disputes and receipts", () => {
  it("records a dispute from its webhook and books it in the ledger", async () => {
    const order = await buy(world, buyer, eventId, typeId, 1);
    const dispute = world.standin.dispute(order.paymentId, "fraudulent");
    await world.standin.webhooks.idle();
    expect(world.sql.prepare("select order_id, amount, reason from disputes where provider_dispute_id = ?").get(dispute.id)).toEqual({ order_id: order.orderId, amount: 2_500, reason: "fraudulent" });
    expect(world.sql.prepare("select amount from ledger_entries where kind = 'dispute' and reference = ?").get(dispute.id)).toEqual({ amount: -2_500 });
  });

  it("gives the buyer and the team the receipt, and nobody else", async () => {
    const order = await buy(world, buyer, eventId, typeId, 1);
    world.sql.prepare("update organizations set legal_address = ?, vat_id = ? where id = ?").run("1 Main Street, Springfield", "EU123456789", organizationId);
    const receipt = await buyer.get(`/api/orders/${order.orderId}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.receipt).toMatchObject({ seller: { legalAddress: "1 Main Street, Springfield", vatId: "EU123456789" }, total: 2_500, lines: [{ amount: 2_500 }] });
    expect((await cohost.get(`/api/orders/${order.orderId}/receipt`)).status).toBe(200);
    expect((await moderator.get(`/api/orders/${order.orderId}/receipt`)).status).toBe(404);
    expect((await outsider.get(`/api/orders/${order.orderId}/receipt`)).status).toBe(404);
  });
});

describe("revenue reports over HTTP", () => {
  type Totals = { currency: string; gross: number; refunds: number; disputes: number; fees: number; commission: number; net: number; payouts: number };

  it("sum what happened above, per event, organization and platform, and the CSV agrees", async () => {
    // Worked out from the orders, refunds and disputes themselves, not from the ledger.
    const paid = world.sql.prepare("select total from orders where event_id = ? and paid_at is not null").all(eventId) as { total: number }[];
    const gross = paid.reduce((s, o) => s + o.total, 0);
    // Stripe's processing fee on each payment, and its dispute fee (1,500, not given back) on each dispute.
    const disputeCount = (world.sql.prepare("select count(*) as n from disputes").get() as { n: number }).n;
    expect(disputeCount).toBe(1);
    const fees = paid.reduce((s, o) => s + Math.round((o.total * 290) / 10_000) + 30, 0) + 1_500 * disputeCount;
    const commission = paid.reduce((s, o) => s + Math.round(o.total * 0.05), 0);
    const refunds = (world.sql.prepare("select coalesce(sum(r.amount), 0) as n from refunds r join orders o on o.id = r.order_id where o.event_id = ? and r.status = 'succeeded'").get(eventId) as { n: number }).n;
    const disputes = (world.sql.prepare("select coalesce(sum(amount), 0) as n from disputes").get() as { n: number }).n;
    expect(refunds).toBe(5_000 + 4_500);
    const expected: Totals = { currency: "eur", gross, refunds, disputes, fees, commission, net: gross - refunds - disputes - fees - commission, payouts: 0 };

    const event = await cohost.get(`/api/events/${eventId}/revenue?group=month`);
    expect(event.status).toBe(200);
    expect(event.body.report.totals).toEqual([expected]);
    const organization = await owner.get(`/api/organizations/${organizationId}/revenue?group=week`);
    expect(organization.body.report.totals).toEqual([expected]);
    expect(organization.body.events).toEqual([{ id: eventId, title: "Refund Summit" }]);
    const platform = await admin.get("/api/admin/revenue?group=day");
    expect(platform.body.report.totals).toEqual([expected]);
    expect(platform.body.byOrganization).toMatchObject([{ organizationId, gross, net: expected.net }]);
    expect(platform.body.commission.organizations.find((o: { id: string }) => o.id === organizationId).commission_bp).toBe(500);

    const csv = await owner.get(`/api/events/${eventId}/revenue?group=day&format=csv`);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="revenue-event-.*-day\.csv"$/);
    const [header, ...lines] = (csv.body as string).trimEnd().split("\r\n");
    const columns = header.split(",");
    expect(columns).toEqual(["period", "currency", "gross", "refunds", "disputes", "fees", "commission", "net", "payouts"]);
    const daily = (await owner.get(`/api/events/${eventId}/revenue?group=day`)).body.report.rows as Totals[];
    expect(lines).toHaveLength(daily.length);
    for (const key of ["gross", "refunds", "disputes", "fees", "commission", "net", "payouts"] as const) {
      const fromCsv = lines.reduce((s, line) => s + Math.round(Number(line.split(",")[columns.indexOf(key)]) * 100), 0);
      expect(fromCsv, key).toBe(expected[key]);
    }
  });

  it("are for the event's owners, co-hosts and organization admins; the platform's for admins", async () => {
    expect((await moderator.get(`/api/events/${eventId}/revenue`)).status).toBe(403);
    expect((await outsider.get(`/api/events/${eventId}/revenue`)).status).toBe(404);
    expect((await buyer.get(`/api/events/${eventId}/revenue/orders`)).status).toBe(404);
    expect((await cohost.get(`/api/events/${eventId}/revenue/orders?q=buyer`)).body.orders.length).toBeGreaterThan(0);
    expect((await cohost.get(`/api/organizations/${organizationId}/revenue`)).status).toBe(404);
    expect((await owner.get("/api/admin/revenue")).status).toBe(403);
    expect((await owner.get(`/api/events/${eventId}/revenue?group=year`)).status).toBe(400);
  });

  it("lets admins set the platform default and organization overrides, which new orders use", async () => {
    expect((await owner.put("/api/admin/commission", { defaultBp: 300 })).status).toBe(403);
    expect((await admin.put("/api/admin/commission", { defaultBp: 10_001 })).status).toBe(400);
    expect((await admin.put("/api/admin/commission", { defaultBp: 300 })).body).toEqual({ defaultBp: 300 });
    expect((await admin.put(`/api/admin/organizations/${organizationId}/commission`, { commissionBp: null })).status).toBe(200);
    const order = await buy(world, buyer, eventId, typeId, 1);
    expect(world.sql.prepare("select amount from ledger_entries where order_id = ? and kind = 'commission'").get(order.orderId)).toEqual({ amount: -75 });
    expect((await admin.get("/api/admin/revenue")).body.commission.defaultBp).toBe(300);
  });
});
