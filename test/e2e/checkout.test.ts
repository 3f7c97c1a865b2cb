/**
 * Checkout end to end on the real server: ticket types, questions and promo codes set up by
 * an organizer; free orders completed at once (signed tickets, a confirmation mail with QR
 * images, a calendar file); paid orders through the Stripe stand-in with the platform's
 * commission as the Connect application fee, paid only from the verified webhook; and
 * hundreds of concurrent buyers for the last seats.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../support/http-client.ts";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { verifyTicketCode } from "../../server/tickets/ticket-code.ts";
import {
  buyer, checkout, type CheckoutWorld, createTicketType, eventually, orderRow, organizerEvent, seat, seatCounts, startCheckoutWorld,
} from "./checkout-support.ts";

let world: CheckoutWorld;

beforeAll(async () => {
  world = await startCheckoutWorld();
});
afterAll(async () => {
  await world?.close();
});

describe("free tickets", () => {
  it("registers attendees with answers, issues signed tickets and mails them with QR codes and a calendar link", async () => {
    const { client: organizer, eventId } = await organizerEvent(world, "Free Meetup");
    const type = await createTicketType(organizer, eventId, { name: "Community", quantity: 10, maxPerOrder: 2 });
    const question = (await organizer.post(`/api/events/${eventId}/registration-questions`, { label: "T-shirt size", kind: "choice", choices: ["S", "M", "L"], required: true })).body.question;
    const { client, email } = await buyer(world, "grace");

    const offer = (await client.get(`/api/events/${eventId}/offer`)).body;
    expect(offer.ticketTypes).toMatchObject([{ id: type.id, price: 0, available: 10, unavailableReason: null }]);
    expect(offer.questions).toMatchObject([{ id: question.id, required: true }]);

    expect((await checkout(client, eventId, { seats: [seat(type.id)] }, null)).body.error.code).toBe("idempotency_key_required");
    const unanswered = await checkout(client, eventId, { seats: [seat(type.id)] });
    expect(unanswered.status).toBe(400);
    expect(unanswered.body.error.fields).toEqual([{ path: `seats.0.answers.${question.id}`, message: "Please answer this question" }]);
    const tooMany = await checkout(client, eventId, { seats: [1, 2, 3].map(() => seat(type.id, "X", email, { [question.id]: "M" })) });
    expect(tooMany.body.error.fields).toEqual([{ path: `ticketType.${type.id}`, message: "Choose at most 2" }]);

    const key = randomUUID();
    const body = { seats: [seat(type.id, "Grace Hopper", email, { [question.id]: "M" }), seat(type.id, "Alan Turing", "alan@example.org", { [question.id]: "L" })] };
    const placed = await checkout(client, eventId, body, key);
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ checkoutUrl: null, order: { status: "paid", total: 0, provider: "free" } });
    expect(placed.body.order.seats.map((s: { ticket: unknown }) => s.ticket)).toEqual([
      { id: expect.any(String), status: "valid" },
      { id: expect.any(String), status: "valid" },
    ]);
    // The same key again is the same order, not a second one.
    const replay = await checkout(client, eventId, body, key);
    expect(replay.status).toBe(200);
    expect(replay.body.order.id).toBe(placed.body.order.id);
    expect(seatCounts(world, type.id)).toEqual({ sold: 2, held: 0, quantity: 10 });

    const mail = await world.smtp.next(email, (m) => m.subject === "Your tickets: Free Meetup");
    expect(mail.html).toContain('src="data:image/png;base64,');
    // The mail's calendar link opens without a sign-in (calendar apps fetch it), for this order only.
    const calendarUrl = new URL(mail.text.match(/Add it to your calendar: (\S+)/)![1]);
    expect(calendarUrl.pathname).toBe(`/api/guest-orders/${placed.body.order.id}/calendar.ics`);
    const anonymous = new TestClient(world.server.url);
    const fromMail = await anonymous.get(calendarUrl.pathname + calendarUrl.search);
    expect(fromMail.status).toBe(200);
    expect(fromMail.body).toContain("SUMMARY:Free Meetup");
    expect((await anonymous.get(`/api/guest-orders/${placed.body.order.id}/calendar.ics`)).status).toBe(404);

    const tickets = (await client.get("/api/tickets")).body.tickets;
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ holderName: "Grace Hopper", ticketTypeName: "Community", status: "valid", event: { id: eventId } });
    expect(tickets[0].qrSvg).toMatch(/^<svg/);
    // The door code staff can type: on the ticket and in the confirmation mail, for both seats.
    expect(tickets[0].shortCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/);
    expect(mail.text).toContain(`Door code for Grace Hopper (Community), if the QR code will not scan: ${tickets[0].shortCode}`);
    expect(mail.text).toMatch(/Door code for Alan Turing \(Community\), if the QR code will not scan: [2-9A-Z]{4}-[2-9A-Z]{4}/);
    const keys = TicketKeys.load(path.join(world.server.dataDir, "keys"));
    expect(await verifyTicketCode(keys.publicKeys, tickets[0].code)).toMatchObject({ valid: true, ticket: { eventId, ticketTypeId: type.id } });

    const ics = await client.get(`/api/tickets/${tickets[0].id}/calendar.ics`);
    expect(ics.headers.get("content-type")).toMatch(/^text\/calendar/);
    expect(ics.body).toContain("BEGIN:VEVENT");
    expect(ics.body).toContain("SUMMARY:Free Meetup");

    // Another person cannot read the order.
    const stranger = await buyer(world, "stranger");
    expect((await stranger.client.get(`/api/orders/${placed.body.order.id}`)).status).toBe(404);
    const listed = (await organizer.get(`/api/events/${eventId}/orders`)).body.orders;
    expect(listed).toMatchObject([{ id: placed.body.order.id, status: "paid", seats: 2 }]);
  });

  it("offers a hidden type only with its access code", async () => {
    const { client: organizer, eventId } = await organizerEvent(world);
    const hidden = await createTicketType(organizer, eventId, { name: "Speaker", hidden: true, accessCode: "SPEAK-2026" });
    const { client } = await buyer(world);
    expect((await client.get(`/api/events/${eventId}/offer`)).body.ticketTypes).toEqual([]);
    expect((await client.get(`/api/events/${eventId}/offer?accessCode=speak-2026`)).body.ticketTypes).toMatchObject([{ id: hidden.id }]);
    expect((await checkout(client, eventId, { seats: [seat(hidden.id)] })).status).toBe(400);
    expect((await checkout(client, eventId, { seats: [seat(hidden.id)], accessCode: "speak-2026" })).status).toBe(201);
  });
});

describe("ticket types", () => {
  it("sells only inside the sale window, and never lowers a quantity under what is sold", async () => {
    const { client: organizer, eventId } = await organizerEvent(world);
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const type = await createTicketType(organizer, eventId, { name: "Late release", quantity: 3, saleStartsAt: later });
    const { client } = await buyer(world);
    expect((await client.get(`/api/events/${eventId}/offer`)).body.ticketTypes).toMatchObject([{ id: type.id, unavailableReason: "Sales have not started" }]);
    expect((await checkout(client, eventId, { seats: [seat(type.id)] })).body.error.fields).toEqual([{ path: `ticketType.${type.id}`, message: "Sales have not started" }]);

    const open = { name: "Late release", price: 0, quantity: 3, saleStartsAt: null };
    expect((await organizer.patch(`/api/ticket-types/${type.id}`, open)).status).toBe(200);
    expect((await checkout(client, eventId, { seats: [seat(type.id), seat(type.id, "B", "b@example.org")] })).status).toBe(201);
    const lower = await organizer.patch(`/api/ticket-types/${type.id}`, { ...open, quantity: 1 });
    expect(lower.body.error.fields).toEqual([{ path: "quantity", message: "2 are sold or held; the quantity cannot be lower" }]);
    expect((await organizer.delete(`/api/ticket-types/${type.id}`)).body.error.code).toBe("ticket_type_in_use");
    // Buyers cannot manage tickets.
    expect((await client.patch(`/api/ticket-types/${type.id}`, open)).status).toBe(404);
  });
});

describe("paid tickets", () => {
  it("holds seats, sends the buyer to Stripe with the commission as application fee, and completes only from the webhook", async () => {
    const { client: organizer, eventId, organizationId } = await organizerEvent(world, "Paid Summit");
    const account = await world.stripe.client().accounts.create({ type: "express", email: "payouts@example.org" });
    world.sql.prepare("update organizations set payout_account_id = ?, payout_ready = 1, commission_bp = 500 where id = ?").run(account.id, organizationId);
    const type = await createTicketType(organizer, eventId, { name: "Standard", price: 2_500, quantity: 50 });
    const promo = await organizer.post(`/api/events/${eventId}/promo-codes`, { code: "early10", kind: "percent", value: 1_000, maxUses: 5 });
    expect(promo.body.promoCode).toMatchObject({ code: "EARLY10", used: 0 });
    const { client, email } = await buyer(world, "payer");

    const placed = await checkout(client, eventId, { seats: [seat(type.id, "Payer One", email), seat(type.id, "Payer Two", "two@example.org")], promoCode: "Early10" });
    expect(placed.status).toBe(201);
    const order = placed.body.order;
    expect(order).toMatchObject({ status: "pending", subtotal: 5_000, discount: 500, total: 4_500, provider: "stripe" });
    expect(placed.body.checkoutUrl).toMatch(new RegExp(`^${world.stripe.baseUrl}/checkout/cs_test_`));
    expect(seatCounts(world, type.id)).toEqual({ sold: 0, held: 2, quantity: 50 });
    const sent = world.stripe.requests.findLast((r) => r.path === "/v1/checkout/sessions")!;
    expect(sent.params.payment_intent_data).toMatchObject({ application_fee_amount: "225", transfer_data: { destination: account.id }, metadata: { order_id: order.id } });
    expect(orderRow(world, order.id)).toMatchObject({ commission: 225 });

    // The success page's return is not proof of payment: nothing changes until the webhook.
    expect((await client.get(`/api/orders/${order.id}`)).body.order.status).toBe("pending");
    const checkoutId = orderRow(world, order.id).checkout_id!;
    world.stripe.pay(checkoutId);
    const paid = await eventually(async () => {
      const view = (await client.get(`/api/orders/${order.id}`)).body.order;
      if (view.status !== "paid") throw new Error(`still ${view.status}`);
      return view;
    }, "order paid from the webhook");
    expect(paid.seats.every((s: { ticket: { status: string } | null }) => s.ticket?.status === "valid")).toBe(true);
    expect(seatCounts(world, type.id)).toEqual({ sold: 2, held: 0, quantity: 50 });
    const ledger = world.sql.prepare("select kind, amount from ledger_entries where order_id = ? order by kind").all(order.id);
    expect(ledger).toEqual(expect.arrayContaining([{ kind: "sale", amount: 4_500 }, { kind: "commission", amount: -225 }]));
    await world.smtp.next(email, (m) => m.subject === "Your tickets: Paid Summit");
  });

  it("keeps one Stripe customer per buyer and saves the card paid with for their next checkout", async () => {
    const { client: organizer, eventId } = await organizerEvent(world);
    const type = await createTicketType(organizer, eventId, { price: 1_200, quantity: 10 });
    const { client, email } = await buyer(world, "saver");
    const sessionParams = () => world.stripe.requests.findLast((r) => r.path === "/v1/checkout/sessions")!.params;
    const first = await checkout(client, eventId, { seats: [seat(type.id, "Saver", email)] });
    const customer = sessionParams().customer as string;
    expect(customer).toMatch(/^cus_/);
    expect(sessionParams()).toMatchObject({ payment_intent_data: { setup_future_usage: "on_session" } });
    world.stripe.pay(orderRow(world, first.body.order.id).checkout_id!);
    await checkout(client, eventId, { seats: [seat(type.id, "Saver", email)] });
    expect(sessionParams().customer).toBe(customer);
    const cards = await world.stripe.client().customers.listPaymentMethods(customer);
    expect(cards.data.map((c) => c.card?.last4)).toEqual(["4242"]);
    expect(world.stripe.object(customer)).toMatchObject({ email });
  });

  it("refuses a promo code once it is used up, and sells nothing when Stripe is down", async () => {
    const { client: organizer, eventId } = await organizerEvent(world);
    const type = await createTicketType(organizer, eventId, { price: 1_000, quantity: 5 });
    await organizer.post(`/api/events/${eventId}/promo-codes`, { code: "ONCE-ONLY", kind: "amount", value: 300, maxUses: 1 });
    const { client } = await buyer(world);
    expect((await checkout(client, eventId, { seats: [seat(type.id)], promoCode: "once-only" })).body.order.total).toBe(700);
    expect((await checkout(client, eventId, { seats: [seat(type.id)], promoCode: "once-only" })).body.error.fields).toEqual([{ path: "promoCode", message: "This code has been used up" }]);
    world.stripe.failNext(500);
    const down = await checkout(client, eventId, { seats: [seat(type.id)] });
    expect(down.status).toBe(503);
    expect(seatCounts(world, type.id)).toEqual({ sold: 0, held: 1, quantity: 5 });
  });
});

describe("the last seats", () => {
  it("sells exactly the seats there are to 300 concurrent buyers", async () => {
    const { client: organizer, eventId } = await organizerEvent(world, "Tiny Room");
    const free = await createTicketType(organizer, eventId, { name: "Free seat", quantity: 7 });
    const paid = await createTicketType(organizer, eventId, { name: "Paid seat", price: 1_500, quantity: 5 });
    const buyers = await Promise.all(Array.from({ length: 6 }, () => buyer(world, "racer")));
    const race = (typeId: string) =>
      Promise.all(Array.from({ length: 150 }, (_, i) => checkout(buyers[i % buyers.length].client, eventId, { seats: [seat(typeId, `Racer ${i}`, `racer${i}@example.org`)] })));
    const [freeResults, paidResults] = await Promise.all([race(free.id), race(paid.id)]);
    for (const [results, seats] of [[freeResults, 7], [paidResults, 5]] as const) {
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(seats);
      expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe("sold_out");
    }
    expect(seatCounts(world, free.id)).toEqual({ sold: 7, held: 0, quantity: 7 });
    expect(seatCounts(world, paid.id)).toEqual({ sold: 0, held: 5, quantity: 5 });
    const orders = world.sql.prepare("select status, count(*) as n from orders where event_id = ? group by status order by status").all(eventId);
    expect(orders).toEqual([{ status: "paid", n: 7 }, { status: "pending", n: 5 }]);
  });
});
