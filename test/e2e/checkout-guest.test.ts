/**
 * Guest checkout on the real server with the Stripe stand-in: a buyer with no account
 * registers for a free ticket and pays for another, reaches the order by the keyed link in
 * the confirmation mail (and nothing else opens it), and finds both in the account they make
 * later with that address.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { type CheckoutWorld, createTicketType, organizerEvent, seat, startCheckoutWorld } from "./checkout-support.ts";

let world: CheckoutWorld;
let eventId: string, freeTypeId: string, paidTypeId: string;
const GUEST = "grace.guest@example.org";

beforeAll(async () => {
  world = await startCheckoutWorld();
  const organizer = await organizerEvent(world, "Guest Gathering");
  eventId = organizer.eventId;
  freeTypeId = (await createTicketType(organizer.client, eventId, { name: "Free entry", quantity: 10 })).id;
  paidTypeId = (await createTicketType(organizer.client, eventId, { name: "Supporter", price: 1_500, quantity: 10 })).id;
}, 120_000);
afterAll(async () => {
  await world?.close();
});

const guestCheckout = (client: TestClient, body: Record<string, unknown>, key = randomUUID()) =>
  client.request("POST", `/api/events/${eventId}/guest-checkout`, body, { "idempotency-key": key });
/** The order page link from the confirmation mail, relative to the server. */
const orderLinkIn = (text: string) => new URL(/https?:\/\/\S+\/orders\/[0-9a-f-]{36}\?key=[A-Za-z0-9_-]+/.exec(text)![0]);

describe("guest checkout", () => {
  it("registers a guest for a free ticket; the mailed link opens the order with its QR code", async () => {
    const anonymous = new TestClient(world.server.url);
    const placed = await guestCheckout(anonymous, { buyer: { name: "Grace Guest", email: GUEST }, seats: [seat(freeTypeId, "Grace Guest", GUEST)] });
    expect(placed.status).toBe(201);
    expect(placed.body.order).toMatchObject({ status: "paid", buyer: { name: "Grace Guest", email: GUEST } });
    expect(placed.body.orderPage).toMatch(new RegExp(`^/orders/${placed.body.order.id}\\?key=`));
    expect(world.sql.prepare("select user_id from orders where id = ?").get(placed.body.order.id)).toEqual({ user_id: null });

    const mail = await world.smtp.next(GUEST, (m) => m.text.includes("Guest Gathering"), 15_000);
    const link = orderLinkIn(mail.text);
    expect(`${link.pathname}${link.search}`).toBe(placed.body.orderPage);
    const view = await anonymous.get(`/api/guest-orders/${placed.body.order.id}${link.search}`);
    expect(view.status).toBe(200);
    expect(view.body.tickets).toHaveLength(1);
    expect(view.body.tickets[0]).toMatchObject({ status: "valid", holderName: "Grace Guest", ticketTypeName: "Free entry" });
    expect(view.body.tickets[0].qrSvg).toContain("<svg");
    const calendar = await anonymous.get(`/api/guest-orders/${placed.body.order.id}/calendar.ics${link.search}`);
    expect(calendar.status).toBe(200);
    expect(calendar.body).toContain("BEGIN:VCALENDAR");
    expect((await anonymous.get(`/api/guest-orders/${placed.body.order.id}/calendar.ics?key=wrong`)).status).toBe(404);
  });

  it("opens a guest order with its own key only, and never through the account routes", async () => {
    const anonymous = new TestClient(world.server.url);
    const a = await guestCheckout(anonymous, { buyer: { name: "A", email: "a.guest@example.org" }, seats: [seat(freeTypeId, "A", "a.guest@example.org")] });
    const b = await guestCheckout(anonymous, { buyer: { name: "B", email: "b.guest@example.org" }, seats: [seat(freeTypeId, "B", "b.guest@example.org")] });
    const keyOfA = new URL(a.body.orderPage, world.server.url).searchParams.get("key")!;
    expect((await anonymous.get(`/api/guest-orders/${a.body.order.id}?key=${keyOfA}`)).status).toBe(200);
    expect((await anonymous.get(`/api/guest-orders/${b.body.order.id}?key=${keyOfA}`)).status).toBe(404);
    expect((await anonymous.get(`/api/guest-orders/${a.body.order.id}?key=${keyOfA.slice(0, -1)}x`)).status).toBe(404);
    expect((await anonymous.get(`/api/guest-orders/${a.body.order.id}`)).status).toBe(404);
    expect((await anonymous.get(`/api/orders/${a.body.order.id}`)).status).toBe(401);
    // A stranger's account does not see it either.
    const stranger = await verifiedUser(world.server, world.smtp, "stranger@example.org");
    expect((await stranger.get(`/api/orders/${a.body.order.id}`)).status).toBe(404);
    // Guests must say who they are.
    const nameless = await guestCheckout(anonymous, { seats: [seat(freeTypeId)] });
    expect(nameless.status).toBe(400);
    expect(nameless.body.error.fields.map((f: { path: string }) => f.path)).toContain("buyer");
  });

  it("sends a guest to the payment page and back to the keyed order page, paid by the webhook", async () => {
    const anonymous = new TestClient(world.server.url);
    const placed = await guestCheckout(anonymous, { buyer: { name: "Grace Guest", email: GUEST }, seats: [seat(paidTypeId, "Grace Guest", GUEST)] });
    expect(placed.status).toBe(201);
    const sessionId = new URL(placed.body.checkoutUrl).pathname.split("/").pop()!;
    const session = world.stripe.object(sessionId)!;
    expect(session.customer).toBeNull();
    expect(session.customer_email).toBe(GUEST);
    expect(session.success_url).toBe(`${world.server.url}${placed.body.orderPage}&paid=1`);
    world.stripe.pay(sessionId);
    await world.stripe.webhooks.idle();
    const view = await anonymous.get(`/api/guest-orders/${placed.body.order.id}?${new URL(placed.body.orderPage, world.server.url).searchParams}`);
    expect(view.body.order.status).toBe("paid");
    expect(view.body.tickets.map((t: { status: string }) => t.status)).toEqual(["valid"]);
  });

  it("gives the orders and tickets to the account later verified with the buyer's address", async () => {
    const grace = await verifiedUser(world.server, world.smtp, GUEST, "Grace");
    const orders = await grace.get("/api/orders");
    expect(orders.body.orders.map((o: { total: number }) => o.total).sort()).toEqual([0, 1_500]);
    const tickets = await grace.get("/api/tickets");
    expect(tickets.body.tickets.map((t: { ticketTypeName: string }) => t.ticketTypeName).sort()).toEqual(["Free entry", "Supporter"]);
    const one = orders.body.orders[0].id as string;
    expect((await grace.get(`/api/orders/${one}`)).status).toBe(200);
  });
});

describe("Idempotency-Key", () => {
  const keyOf = (orderPage: string) => new URL(orderPage, world.server.url).searchParams.get("key")!;

  it("replays only the request the key was first sent with: another body with the buyer's address and key gets 422 and nothing of the order", async () => {
    const victim = "vera.victim@example.org";
    const key = randomUUID();
    const body = { buyer: { name: "Vera Victim", email: victim }, seats: [seat(paidTypeId, "Vera Victim", victim, {})] };
    const placed = await guestCheckout(new TestClient(world.server.url), body, key);
    expect(placed.status).toBe(201);

    const attacker = new TestClient(world.server.url);
    const others = [
      { ...body, buyer: { name: "Mallory", email: victim } },
      { ...body, seats: [seat(freeTypeId, "Vera Victim", victim)] },
      { ...body, seats: [seat(paidTypeId, "Mallory", "mallory@example.org")] },
      { ...body, promoCode: "GUESS-1" },
      { buyer: { name: "Vera Victim", email: "VERA.Victim@example.org" }, seats: [seat(paidTypeId, "Vera Victim", victim), seat(paidTypeId, "Vera Victim", victim)] },
    ];
    for (const other of others) {
      const reused = await guestCheckout(attacker, other, key);
      expect(reused.status, JSON.stringify(other)).toBe(422);
      expect(reused.body.error.code).toBe("idempotency_key_reused");
      expect(reused.body.error.message).toMatch(/can only be used with the same parameters they were first used with/);
      const text = JSON.stringify(reused.body);
      expect(text).not.toContain(placed.body.order.id);
      expect(text).not.toContain(keyOf(placed.body.orderPage));
    }

    // The same request again (a retry after a lost answer; JSON keys in another order, the address in capitals) gets the same order.
    const retried = await guestCheckout(new TestClient(world.server.url), { seats: [{ answers: {}, email: victim, name: "Vera Victim", ticketTypeId: paidTypeId }], buyer: { email: victim.toUpperCase(), name: "Vera Victim" } }, key);
    expect(retried.status).toBe(200);
    expect(retried.body.order.id).toBe(placed.body.order.id);
    expect(retried.body.orderPage).toBe(placed.body.orderPage);
    expect(world.sql.prepare("select count(*) as n from orders where buyer_email = ?").get(victim)).toEqual({ n: 1 });
  });

  it("does the same for an account holder's key", async () => {
    const holder = await verifiedUser(world.server, world.smtp, "ida.holder@example.org", "Ida");
    const key = randomUUID();
    const send = (body: Record<string, unknown>) => holder.request("POST", `/api/events/${eventId}/checkout`, body, { "idempotency-key": key });
    const placed = await send({ seats: [seat(freeTypeId, "Ida", "ida.holder@example.org")] });
    expect(placed.status).toBe(201);
    const other = await send({ seats: [seat(freeTypeId, "Someone Else", "else@example.org")] });
    expect(other.status).toBe(422);
    expect(other.body.order).toBeUndefined();
    const again = await send({ seats: [seat(freeTypeId, "Ida", "ida.holder@example.org")] });
    expect(again.status).toBe(200);
    expect(again.body.order.id).toBe(placed.body.order.id);
  });
});
