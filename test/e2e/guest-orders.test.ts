/**
 * What a guest (no account) does with their order by the key of its link, on the real server
 * with the Stripe stand-in and a real SMTP server: the receipt, cancelling a paid order under
 * the event's deadline and fee (refund pending until the stand-in's signed webhook settles
 * it, seats back on sale, the refund mail with the keyed link), cancelling a free one, giving
 * up a pending checkout (seats released, the stand-in's session expired), and the calendar
 * link of the confirmation mail. A wrong or missing key gets what a missing order gets.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { type ApiResponse, TestClient } from "../support/http-client.ts";
import { paidTicketType, type RevenueWorld, startRevenueWorld } from "./revenue-support.ts";

let world: RevenueWorld;
let anonymous: TestClient, organizer: TestClient;
let eventId: string, paidTypeId: string, freeTypeId: string;

beforeAll(async () => {
  world = await startRevenueWorld({ refundStatus: "pending" });
  await firstAdmin(world.server);
  organizer = await verifiedUser(world.server, world.smtp, "organizer@example.org");
  ({ eventId } = world.fixture.event("organizer@example.org", "Guest Orders Forum"));
  // Attendees may cancel until 24 hours before the start (in about 48 hours), keeping 10 %.
  world.sql.prepare("update events set starts_at = ?, cancel_deadline_hours = 24, cancel_fee_bp = 1000 where id = ?").run(new Date(Date.now() + 48 * 3_600_000).toISOString(), eventId);
  paidTypeId = paidTicketType(world, eventId, 2_500, "Supporter");
  freeTypeId = paidTicketType(world, eventId, 0, "Free entry");
  anonymous = new TestClient(world.server.url);
}, 240_000);
afterAll(async () => {
  await world?.close();
});

let guests = 0;
/** A guest's checkout of one seat; the order, its key (from the order page link) and the stand-in's session. */
async function guestCheckout(typeId: string) {
  const email = `guest-${++guests}@example.org`;
  const placed = await anonymous.request(
    "POST",
    `/api/events/${eventId}/guest-checkout`,
    { buyer: { name: `Guest ${guests}`, email }, seats: [{ ticketTypeId: typeId, name: `Guest ${guests}`, email, answers: {} }] },
    { "idempotency-key": randomUUID() },
  );
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const key = new URL(placed.body.orderPage as string, world.server.url).searchParams.get("key")!;
  const sessionId = placed.body.checkoutUrl ? new URL(placed.body.checkoutUrl as string).pathname.split("/").pop()! : null;
  return { orderId: placed.body.order.id as string, key, email, sessionId };
}

/** A guest's paid order: checked out and paid at the stand-in, made paid by its webhook. */
async function guestPaidOrder() {
  const order = await guestCheckout(paidTypeId);
  world.standin.pay(order.sessionId!);
  await world.standin.webhooks.idle();
  expect(world.sql.prepare("select status from orders where id = ?").get(order.orderId)).toEqual({ status: "paid" });
  return order;
}

const counts = (typeId: string) => world.sql.prepare("select sold, held from ticket_types where id = ?").get(typeId) as { sold: number; held: number };
const refundsOf = (orderId: string) => world.sql.prepare("select amount, status, provider_refund_id from refunds where order_id = ?").all(orderId) as { amount: number; status: string; provider_refund_id: string }[];
const q = (key: string) => `?${new URLSearchParams({ key })}`;

/** The answer for an order that does not exist: a wrong or missing key must look the same. */
async function expectNoSuchOrder(response: ApiResponse | Promise<ApiResponse>, missing: ApiResponse | Promise<ApiResponse>) {
  const [got, none] = await Promise.all([response, missing]);
  expect(none.status).toBe(404);
  expect(got.status).toBe(404);
  expect({ code: got.body.error.code, message: got.body.error.message }).toEqual({ code: none.body.error.code, message: none.body.error.message });
}

describe("a guest's receipt", () => {
  it("opens with the order's key, and a wrong, missing or other order's key gets what a missing order gets", async () => {
    const order = await guestPaidOrder();
    const other = await guestPaidOrder();
    const receipt = await anonymous.get(`/api/guest-orders/${order.orderId}/receipt${q(order.key)}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.receipt).toMatchObject({ buyer: { email: order.email }, total: 2_500, order: { id: order.orderId, status: "paid" }, lines: [{ description: "Supporter", amount: 2_500 }] });

    const missing = anonymous.get(`/api/guest-orders/${randomUUID()}/receipt${q(order.key)}`);
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${order.orderId}/receipt${q(`${order.key.slice(0, -1)}x`)}`), missing);
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${order.orderId}/receipt`), missing);
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${other.orderId}/receipt${q(order.key)}`), missing);
    // The account route wants a signed-in buyer.
    expect((await anonymous.get(`/api/orders/${order.orderId}/receipt`)).status).toBe(401);
  });

  it("is the buyer's once they verify an account with the order's address, for the receipt and the cancellation", async () => {
    const order = await guestPaidOrder();
    const account = await verifiedUser(world.server, world.smtp, order.email);
    expect((await account.get(`/api/orders/${order.orderId}/receipt`)).body.receipt).toMatchObject({ total: 2_500 });
    expect((await account.get(`/api/orders/${order.orderId}/cancellation`)).body.quote).toMatchObject({ allowed: true, refund: 2_250 });
    const stranger = await verifiedUser(world.server, world.smtp, `stranger-${guests}@example.org`);
    expect((await stranger.get(`/api/orders/${order.orderId}/receipt`)).status).toBe(404);
    expect((await stranger.get(`/api/orders/${order.orderId}/cancellation`)).status).toBe(404);
  });
});

describe("a guest cancels their order", () => {
  it("paid: the quote, the cancel with its fee, the refund settled by the webhook, the seat back on sale, the mail", async () => {
    const order = await guestPaidOrder();
    const before = counts(paidTypeId);
    const quote = await anonymous.get(`/api/guest-orders/${order.orderId}/cancellation${q(order.key)}`);
    expect(quote.status).toBe(200);
    expect(quote.body.quote).toMatchObject({ allowed: true, reason: "allowed", refundable: 2_500, fee: 250, refund: 2_250, currency: "eur" });
    expect(Date.parse(quote.body.quote.deadline)).toBeGreaterThan(Date.now());

    const missing = anonymous.post(`/api/guest-orders/${randomUUID()}/cancel`, { key: order.key });
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${order.orderId}/cancellation${q("wrong")}`), anonymous.get(`/api/guest-orders/${randomUUID()}/cancellation${q(order.key)}`));
    await expectNoSuchOrder(anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: "wrong" }), missing);
    await expectNoSuchOrder(anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, {}), missing);
    expect(refundsOf(order.orderId)).toEqual([]);

    const cancelled = await anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: order.key });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.result).toMatchObject({ kind: "refund", amount: 2_250, status: "pending" });
    await world.standin.webhooks.idle();
    // Asked for, not settled: the order page says a refund is on its way, the ticket still stands.
    expect(refundsOf(order.orderId)).toMatchObject([{ amount: 2_250, status: "pending" }]);
    expect((await anonymous.get(`/api/guest-orders/${order.orderId}${q(order.key)}`)).body.order).toMatchObject({ status: "paid", refundPending: 2_250 });
    expect((await anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: order.key })).body.error.code).toBe("nothing_to_cancel");

    world.standin.settleRefund(refundsOf(order.orderId)[0].provider_refund_id, "succeeded");
    await world.standin.webhooks.idle();
    expect(world.sql.prepare("select status, refunded from orders where id = ?").get(order.orderId)).toEqual({ status: "cancelled", refunded: 2_250 });
    expect(counts(paidTypeId).sold).toBe(before.sold - 1);
    const view = await anonymous.get(`/api/guest-orders/${order.orderId}${q(order.key)}`);
    expect(view.body.order).toMatchObject({ status: "cancelled", refundPending: 0, refunded: 2_250 });
    expect(view.body.tickets.map((t: { status: string }) => t.status)).toEqual(["refunded"]);

    // The same mail an account holder gets, its link carrying the guest's key.
    const mail = await world.smtp.next(order.email, (m) => m.subject.startsWith("Refund processed"), 30_000);
    expect(mail.text).toContain("Reason: Cancelled by the attendee");
    expect(mail.text).toContain(`/orders/${order.orderId}?key=${order.key}`);
    expect(world.sql.prepare("select actor_kind, after from audit_log where action = 'order.cancelSelf' and target_id = ?").get(order.orderId)).toMatchObject({ actor_kind: "anonymous" });
  });

  it("is refused past the deadline, or when the organizer allows no cancelling, with the reason", async () => {
    const order = await guestPaidOrder();
    world.sql.prepare("update events set cancel_deadline_hours = 72 where id = ?").run(eventId);
    try {
      const quote = await anonymous.get(`/api/guest-orders/${order.orderId}/cancellation${q(order.key)}`);
      expect(quote.body.quote).toMatchObject({ allowed: false, reason: "deadline_passed" });
      const refused = await anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: order.key });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: "cancellation_deadline_passed", message: "The last day to cancel has passed" });
      world.sql.prepare("update events set cancel_deadline_hours = null where id = ?").run(eventId);
      const closed = await anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: order.key });
      expect(closed.status).toBe(403);
      expect(closed.body.error.code).toBe("cancellation_not_allowed");
      expect(refundsOf(order.orderId)).toEqual([]);
      expect(world.sql.prepare("select status from tickets where order_id = ?").all(order.orderId)).toEqual([{ status: "valid" }]);
    } finally {
      world.sql.prepare("update events set cancel_deadline_hours = 24 where id = ?").run(eventId);
    }
  });

  it("free: the ticket is cancelled and its seat released at once", async () => {
    const order = await guestCheckout(freeTypeId);
    const before = counts(freeTypeId);
    const quote = await anonymous.get(`/api/guest-orders/${order.orderId}/cancellation${q(order.key)}`);
    expect(quote.body.quote).toMatchObject({ allowed: true, refundable: 0, fee: 0, refund: 0 });
    const cancelled = await anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: order.key });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.result.kind).toBe("cancelled");
    expect(counts(freeTypeId).sold).toBe(before.sold - 1);
    expect(world.sql.prepare("select status from orders where id = ?").get(order.orderId)).toEqual({ status: "cancelled" });
  });
});

describe("giving up a pending order", () => {
  it("a guest's: the seat released at once and the stand-in's checkout session expired; a wrong key changes nothing", async () => {
    const order = await guestCheckout(paidTypeId);
    const before = counts(paidTypeId);
    expect(world.standin.object(order.sessionId!)).toMatchObject({ status: "open" });

    await expectNoSuchOrder(anonymous.post(`/api/guest-orders/${order.orderId}/abandon`, { key: "wrong" }), anonymous.post(`/api/guest-orders/${randomUUID()}/abandon`, { key: order.key }));
    await expectNoSuchOrder(anonymous.post(`/api/guest-orders/${order.orderId}/abandon`, {}), anonymous.post(`/api/guest-orders/${randomUUID()}/abandon`, {}));
    expect(counts(paidTypeId)).toEqual(before);
    expect(world.standin.object(order.sessionId!)).toMatchObject({ status: "open" });

    const gaveUp = await anonymous.post(`/api/guest-orders/${order.orderId}/abandon`, { key: order.key });
    expect(gaveUp.status).toBe(200);
    expect(gaveUp.body.order).toMatchObject({ status: "cancelled" });
    expect(counts(paidTypeId)).toEqual({ sold: before.sold, held: before.held - 1 });
    expect(world.standin.object(order.sessionId!)).toMatchObject({ status: "expired" });
    // Nothing was paid, so there is no receipt to print.
    expect((await anonymous.get(`/api/guest-orders/${order.orderId}/receipt${q(order.key)}`)).body.error.code).toBe("order_not_paid");
    const again = await anonymous.post(`/api/guest-orders/${order.orderId}/abandon`, { key: order.key });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("order_not_pending");
  });

  it("an account holder's, the same way; a paid order cannot be given up", async () => {
    const buyer = await verifiedUser(world.server, world.smtp, `holder-${randomUUID().slice(0, 6)}@example.org`);
    const placed = await buyer.request("POST", `/api/events/${eventId}/checkout`, { seats: [{ ticketTypeId: paidTypeId, name: "Holder", email: "holder@example.org", answers: {} }] }, { "idempotency-key": randomUUID() });
    expect(placed.status).toBe(201);
    const sessionId = new URL(placed.body.checkoutUrl as string).pathname.split("/").pop()!;
    const before = counts(paidTypeId);
    expect((await buyer.get(`/api/orders/${placed.body.order.id}`)).body.buyer).toBe(true);
    // The organizer reads the order but is not its buyer: the page offers them no give-up.
    expect((await organizer.get(`/api/orders/${placed.body.order.id}`)).body).toMatchObject({ buyer: false, checkoutUrl: null });
    expect((await organizer.post(`/api/orders/${placed.body.order.id}/abandon`)).status).toBe(404);
    expect((await anonymous.post(`/api/guest-orders/${placed.body.order.id}/abandon`, { key: "" })).status).toBe(404);
    const gaveUp = await buyer.post(`/api/orders/${placed.body.order.id}/abandon`);
    expect(gaveUp.status).toBe(200);
    expect(counts(paidTypeId).held).toBe(before.held - 1);
    expect(world.standin.object(sessionId)).toMatchObject({ status: "expired" });

    const paid = await guestPaidOrder();
    const refused = await anonymous.post(`/api/guest-orders/${paid.orderId}/abandon`, { key: paid.key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("order_not_pending");
  });
});

describe("the calendar link of a guest's confirmation mail", () => {
  it("opens the calendar without signing in, and nothing else", async () => {
    const order = await guestCheckout(freeTypeId);
    const other = await guestCheckout(freeTypeId);
    const mail = await world.smtp.next(order.email, (m) => m.text.includes("Add it to your calendar"), 30_000);
    const link = new URL(/Add it to your calendar: (\S+)/.exec(mail.text)![1]);
    expect(link.pathname).toBe(`/api/guest-orders/${order.orderId}/calendar.ics`);
    const calendarKey = link.searchParams.get("key")!;
    expect(calendarKey).not.toBe(order.key);

    const calendar = await anonymous.get(`${link.pathname}${link.search}`);
    expect(calendar.status).toBe(200);
    expect(calendar.headers.get("content-type")).toMatch(/^text\/calendar/);
    expect(calendar.body).toContain("SUMMARY:Guest Orders Forum");
    // The order page's own key opens it too (its "Add to calendar" button).
    expect((await anonymous.get(`${link.pathname}${q(order.key)}`)).status).toBe(200);

    // The calendar key opens neither the order nor its cancellation, nor another order's calendar.
    const missing = anonymous.get(`/api/guest-orders/${randomUUID()}/calendar.ics${q(calendarKey)}`);
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${other.orderId}/calendar.ics${q(calendarKey)}`), missing);
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${order.orderId}/calendar.ics`), missing);
    await expectNoSuchOrder(anonymous.get(`/api/guest-orders/${order.orderId}${q(calendarKey)}`), anonymous.get(`/api/guest-orders/${randomUUID()}${q(calendarKey)}`));
    await expectNoSuchOrder(anonymous.post(`/api/guest-orders/${order.orderId}/cancel`, { key: calendarKey }), anonymous.post(`/api/guest-orders/${randomUUID()}/cancel`, { key: calendarKey }));
  });
});
