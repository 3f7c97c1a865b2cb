/**
 * The payment webhook and the clocks of the order flow, on the real server with the Stripe
 * stand-in delivering signed webhooks: forged, stale (replayed), duplicate and out-of-order
 * events; a late "expired" that must not undo "paid"; a refused delayed payment; a seat hold
 * running out (seats back, the Stripe checkout ended); and released seats offered to the
 * waitlist through an expiring claim link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StripeEvent } from "../support/stripe-standin/index.ts";
import {
  buyer, checkout, type CheckoutWorld, createTicketType, eventually, expireHoldNow, orderRow, organizerEvent, seat, seatCounts, startCheckoutWorld,
} from "./checkout-support.ts";

let world: CheckoutWorld;

beforeAll(async () => {
  world = await startCheckoutWorld();
});
afterAll(async () => {
  await world?.close();
});

async function pendingOrder(quantity = 20, seats = 2) {
  const { client: organizer, eventId } = await organizerEvent(world, "Webhook Week");
  const type = await createTicketType(organizer, eventId, { name: "Pass", price: 4_000, quantity });
  const { client, email } = await buyer(world);
  const placed = await checkout(client, eventId, { seats: Array.from({ length: seats }, (_, i) => seat(type.id, `Guest ${i}`, i === 0 ? email : `guest${i}@example.org`)) });
  expect(placed.status).toBe(201);
  const orderId = placed.body.order.id as string;
  return { client, organizer, email, eventId, type, orderId, checkoutId: orderRow(world, orderId).checkout_id! };
}

const status = (orderId: string) => orderRow(world, orderId).status;
const count = (sql: string, ...args: unknown[]) => (world.sql.prepare(sql).get(...args) as { n: number }).n;

describe("webhook verification", () => {
  it("refuses forged and replayed webhooks and applies nothing from them", async () => {
    const { orderId, checkoutId, type } = await pendingOrder();
    world.stripe.webhooks.hold();
    world.stripe.pay(checkoutId);
    const events = world.stripe.events.filter((e) => e.data.object.id === checkoutId || (e.data.object.metadata as Record<string, string> | undefined)?.order_id === orderId);
    expect(events.map((e) => e.type).sort()).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);
    for (const kind of ["wrong-secret", "tampered-body", "stale-timestamp", "no-signature"] as const) {
      for (const event of events) {
        const delivery = await world.stripe.webhooks.deliverForged(event, kind);
        expect(delivery.status, kind).toBe(400);
        expect(JSON.parse(delivery.responseBody).error.code).toBe("webhook_signature_invalid");
      }
    }
    expect(status(orderId)).toBe("pending");
    expect(count(`select count(*) as n from payment_events where event_id in (${events.map(() => "?").join(",")})`, ...events.map((e) => e.id))).toBe(0);
    await world.stripe.webhooks.release("as-sent");
    await eventually(() => expect(status(orderId)).toBe("paid"), "paid from the genuine delivery");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 2, held: 0 });
  });
});

describe("delivery order and repetition", () => {
  it("applies each event once, in any order, and a late expiry never undoes a payment", async () => {
    const { orderId, checkoutId, type } = await pendingOrder();
    world.stripe.webhooks.hold();
    world.stripe.pay(checkoutId);
    const released = await world.stripe.webhooks.release("reversed");
    expect(released.map((e) => e.type)).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);
    await eventually(() => expect(status(orderId)).toBe("paid"), "paid");
    expect(count("select count(*) as n from tickets where order_id = ?", orderId)).toBe(2);
    expect(count("select count(*) as n from ledger_entries where order_id = ? and kind = 'sale'", orderId)).toBe(1);

    const completed = world.stripe.event("checkout.session.completed", checkoutId)!;
    const again = await world.stripe.webhooks.redeliver(completed);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.responseBody)).toEqual({ received: true, outcome: "duplicate" });

    const lateExpiry: StripeEvent = {
      ...completed,
      id: `${completed.id}_late`,
      type: "checkout.session.expired",
      created: completed.created - 60,
      data: { object: { ...completed.data.object, status: "expired", payment_status: "unpaid", url: null } },
    };
    expect((await world.stripe.webhooks.redeliver(lateExpiry)).status).toBe(200);
    expect(status(orderId)).toBe("paid");
    expect(count("select count(*) as n from tickets where order_id = ? and status = 'valid'", orderId)).toBe(2);
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 2, held: 0 });
  });

  it("ends an order whose delayed payment the bank refused, and gives its seats back", async () => {
    const { orderId, checkoutId, type } = await pendingOrder();
    world.stripe.pay(checkoutId, { delayed: true });
    await world.stripe.webhooks.idle();
    expect(status(orderId)).toBe("pending");
    world.stripe.settleDelayedPayment(checkoutId, "failed");
    await eventually(() => expect(status(orderId)).toBe("expired"), "expired");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 0, held: 0 });
  });
});

describe("seat holds", () => {
  it("releases the seats of an unpaid checkout when its hold runs out, and ends the Stripe checkout", async () => {
    const { orderId, checkoutId, type, client } = await pendingOrder();
    expect(seatCounts(world, type.id)).toMatchObject({ held: 2 });
    expireHoldNow(world, orderId);
    await eventually(() => expect(status(orderId)).toBe("expired"), "hold expired");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 0, held: 0 });
    expect(world.stripe.object(checkoutId)).toMatchObject({ status: "expired" });
    expect((await client.get(`/api/orders/${orderId}`)).body).toMatchObject({ order: { status: "expired" }, checkoutUrl: null });
  });

  it("completes, not expires, an order paid just before its hold ran out whose webhook is late", async () => {
    const { orderId, checkoutId, type } = await pendingOrder();
    world.stripe.webhooks.hold();
    world.stripe.pay(checkoutId);
    expireHoldNow(world, orderId);
    await eventually(() => expect(status(orderId)).toBe("paid"), "paid by the hold job, which asked Stripe first");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 2, held: 0 });
    await world.stripe.webhooks.release("as-sent");
    expect(count("select count(*) as n from tickets where order_id = ?", orderId)).toBe(2);
    expect(count("select count(*) as n from ledger_entries where order_id = ? and kind = 'sale'", orderId)).toBe(1);
  });

  it("lets the buyer give up a pending checkout", async () => {
    const { orderId, checkoutId, type, client } = await pendingOrder();
    const cancelled = await client.post(`/api/orders/${orderId}/abandon`);
    expect(cancelled.body.order.status).toBe("cancelled");
    expect(seatCounts(world, type.id)).toMatchObject({ held: 0 });
    expect(world.stripe.object(checkoutId)).toMatchObject({ status: "expired" });
    expect((await client.post(`/api/orders/${orderId}/abandon`)).body.error.code).toBe("order_not_pending");
  });
});

describe("waitlist", () => {
  it("offers a released seat to the first person waiting, through a claim link no one else can use", async () => {
    const first = await pendingOrder(1, 1);
    const waiting = await buyer(world, "waiting");
    const late = await buyer(world, "late");
    expect((await waiting.client.get(`/api/events/${first.eventId}/offer`)).body.ticketTypes).toMatchObject([{ id: first.type.id, available: 0 }]);
    const joined = await waiting.client.post(`/api/ticket-types/${first.type.id}/waitlist`, {});
    expect(joined.status).toBe(201);
    expect(joined.body.entry).toMatchObject({ status: "waiting", position: 1 });
    expect((await late.client.post(`/api/ticket-types/${first.type.id}/waitlist`, {})).body.entry.position).toBe(2);

    expireHoldNow(world, first.orderId);
    const mail = await world.smtp.next(waiting.email, (m) => m.subject.endsWith("A ticket is free for you"), 10_000);
    const token = decodeURIComponent(/offer=([^\s"&]+)/.exec(mail.text)![1]);
    expect(seatCounts(world, first.type.id)).toMatchObject({ sold: 0, held: 1 });

    // The seat is kept for the person offered it: not for sale, and the link is theirs alone.
    expect((await checkout(late.client, first.eventId, { seats: [seat(first.type.id, "Late", late.email)] })).body.error.code).toBe("sold_out");
    const stolen = await checkout(late.client, first.eventId, { seats: [seat(first.type.id, "Late", late.email)], waitlistOffer: token });
    expect(stolen.body.error.fields).toEqual([{ path: "waitlistOffer", message: "This offer has expired or is not yours" }]);
    const claimed = await checkout(waiting.client, first.eventId, { seats: [seat(first.type.id, "Waiting", waiting.email)], waitlistOffer: token });
    expect(claimed.status).toBe(201);
    expect(seatCounts(world, first.type.id)).toMatchObject({ sold: 0, held: 1 });
    expect(world.sql.prepare("select status from waitlist_entries where email = ?").get(waiting.email)).toEqual({ status: "claimed" });
  });

  it("passes an unclaimed offer on to the next person when it lapses", async () => {
    const first = await pendingOrder(1, 1);
    const [one, two] = [await buyer(world, "one"), await buyer(world, "two")];
    await one.client.post(`/api/ticket-types/${first.type.id}/waitlist`, {});
    await two.client.post(`/api/ticket-types/${first.type.id}/waitlist`, {});
    expireHoldNow(world, first.orderId);
    await world.smtp.next(one.email, (m) => m.subject.endsWith("A ticket is free for you"), 10_000);
    const entry = world.sql.prepare("select id from waitlist_entries where email = ?").get(one.email) as { id: string };
    const past = new Date(Date.now() - 1_000).toISOString();
    world.sql.prepare("update waitlist_entries set offer_expires_at = ? where id = ?").run(past, entry.id);
    world.sql.prepare("update jobs set run_at = ? where key = ?").run(past, `waitlist-offer:${entry.id}`);
    await world.smtp.next(two.email, (m) => m.subject.endsWith("A ticket is free for you"), 10_000);
    expect(world.sql.prepare("select email, status from waitlist_entries where ticket_type_id = ? order by created_at").all(first.type.id)).toEqual([
      { email: one.email, status: "expired" },
      { email: two.email, status: "offered" },
    ]);
    expect(seatCounts(world, first.type.id)).toMatchObject({ sold: 0, held: 1 });
  });
});

describe("payments that are not the order's", () => {
  const problem = (orderId: string) => (world.sql.prepare("select payment_problem from orders where id = ?").get(orderId) as { payment_problem: string | null }).payment_problem;
  const flags = (orderId: string) => count("select count(*) as n from audit_log where action = 'order.payment_mismatch' and target_id = ?", orderId);
  const acknowledged = async (event: StripeEvent) => {
    const delivery = await world.stripe.webhooks.redeliver(event);
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.responseBody)).toEqual({ received: true, outcome: "handled" });
  };

  it("does not complete an order from a payment of another amount: flags it, answers 2xx, and the genuine payment still completes it", async () => {
    const { orderId, checkoutId, type } = await pendingOrder();
    world.stripe.webhooks.hold();
    world.stripe.pay(checkoutId);
    const completed = world.stripe.event("checkout.session.completed", checkoutId)!;
    const succeeded = world.stripe.events.find((e) => e.type === "payment_intent.succeeded" && (e.data.object.metadata as Record<string, string>).order_id === orderId)!;
    await acknowledged({ ...completed, id: `${completed.id}_cheap`, data: { object: { ...completed.data.object, amount_total: 100, amount_subtotal: 100 } } });
    await acknowledged({ ...succeeded, id: `${succeeded.id}_cheap`, data: { object: { ...succeeded.data.object, amount: 100, amount_received: 100 } } });
    expect(status(orderId)).toBe("pending");
    expect(seatCounts(world, type.id)).toMatchObject({ sold: 0, held: 2 });
    expect(count("select count(*) as n from tickets where order_id = ?", orderId)).toBe(0);
    expect(problem(orderId)).toBe("paid 100 eur, the order's total is 8000 eur");
    expect(flags(orderId)).toBe(2);

    await world.stripe.webhooks.release("as-sent");
    await eventually(() => expect(status(orderId)).toBe("paid"), "paid by the genuine events");
    expect(count("select count(*) as n from tickets where order_id = ?", orderId)).toBe(2);
  });

  it("does not complete an order named in the metadata of a checkout that is not the order's", async () => {
    const paidFor = await pendingOrder();
    const other = await pendingOrder();
    world.stripe.webhooks.hold();
    world.stripe.pay(paidFor.checkoutId);
    const completed = world.stripe.event("checkout.session.completed", paidFor.checkoutId)!;
    // Same amount and currency: only the checkout gives it away.
    await acknowledged({
      ...completed,
      id: `${completed.id}_other`,
      data: { object: { ...completed.data.object, metadata: { order_id: other.orderId }, client_reference_id: other.orderId } },
    });
    expect(status(other.orderId)).toBe("pending");
    expect(seatCounts(world, other.type.id)).toMatchObject({ sold: 0, held: 2 });
    expect(problem(other.orderId)).toBe(`checkout ${paidFor.checkoutId} is not the order's checkout (${other.checkoutId})`);
    expect(flags(other.orderId)).toBe(1);
    // The organizer sees the flagged order among the event's orders, though it is not paid.
    const listed = await other.organizer.get(`/api/events/${other.eventId}/revenue/orders`);
    expect(listed.body.orders).toEqual([expect.objectContaining({ id: other.orderId, status: "pending", payment_problem: problem(other.orderId) })]);

    await world.stripe.webhooks.release("as-sent");
    await eventually(() => expect(status(paidFor.orderId)).toBe("paid"), "the paid order completes");
    expect(status(other.orderId)).toBe("pending");
  });
});

describe("payout accounts", () => {
  it("takes an organizer's payout account as ready when Stripe says onboarding is finished, without a visit back", async () => {
    const { client: organizer, organizationId } = await organizerEvent(world, "Payout Week");
    expect((await organizer.post(`/api/organizations/${organizationId}/payout/onboarding`)).status).toBe(200);
    const payout = async () => (await organizer.get(`/api/organizations/${organizationId}`)).body.organization.payout;
    expect(await payout()).toEqual({ connected: true, ready: false });
    const accountId = (world.sql.prepare("select payout_account_id as id from organizations where id = ?").get(organizationId) as { id: string }).id;
    // account.updated reaches the webhook; the organizer never returns to the page that refreshes it.
    world.stripe.completeOnboarding(accountId);
    await eventually(async () => expect(await payout()).toEqual({ connected: true, ready: true }), "payout account ready");
  });
});
