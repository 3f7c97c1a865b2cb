/**
 * The rules of editing an event's ticket types, each refused with its own error: quantity
 * never below sold + held, price and currency fixed once anything is sold or held, sessions
 * only of the event, deletion only without orders; and each change on the dashboard's
 * activity, saying who did it. Edits are partial (PATCH): what a request leaves out keeps
 * its value, and a field the server does not take is refused by name.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifiedUser } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import type { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let fixture: EventFixture;
let owner: TestClient;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  owner = await verifiedUser(server, smtp, "owner@example.org", "Olive Owner");
  fixture = new EventFixture(server);
}, 120_000);
afterAll(async () => {
  fixture?.close();
  await server?.stop();
  await smtp?.close();
});

const typeBody = (fields: Record<string, unknown>) => ({ name: "General", price: 0, quantity: 10, ...fields });

describe("ticket type edits", () => {
  it("refuse what would break sold seats, each with its own error", async () => {
    const { eventId } = fixture.event("owner@example.org", "Rules Conf");
    const sold = fixture.ticketType(eventId, "Sold pass", 10);
    fixture.ticket(eventId, sold, "Ada", "ada@example.org");
    fixture.ticket(eventId, sold, "Bob", "bob@example.org");

    const low = await owner.patch(`/api/ticket-types/${sold.id}`, { quantity: 1 });
    expect(low.status).toBe(400);
    expect(low.body.error.fields).toEqual([{ path: "quantity", message: "2 are sold or held; the quantity cannot be lower" }]);
    const priced = await owner.patch(`/api/ticket-types/${sold.id}`, { price: 900 });
    expect([priced.status, priced.body.error.code]).toEqual([409, "price_locked"]);
    // Sending the price it already has is no change (a client that sends back what it read).
    expect((await owner.patch(`/api/ticket-types/${sold.id}`, { price: 0, quantity: 2 })).status).toBe(200);
    const foreign = await owner.patch(`/api/ticket-types/${sold.id}`, { sessionIds: [randomUUID()] });
    expect(foreign.body.error.fields).toEqual([{ path: "sessionIds", message: "Not a session of this event" }]);
    const deleted = await owner.delete(`/api/ticket-types/${sold.id}`);
    expect([deleted.status, deleted.body.error.code]).toEqual([409, "ticket_type_in_use"]);
    // Hiding and renaming stay possible.
    const hidden = await owner.patch(`/api/ticket-types/${sold.id}`, { name: "Sold out pass", hidden: true, accessCode: "LATECOMERS" });
    expect(hidden.body.ticketType).toMatchObject({ name: "Sold out pass", quantity: 2, hidden: true, hasAccessCode: true, sold: 2 });
    // This test server has no payment provider: a free type cannot become paid.
    const paid = await owner.patch(`/api/ticket-types/${fixture.ticketType(eventId, "Unsold pass").id}`, { price: 500 });
    expect([paid.status, paid.body.error.code]).toEqual([409, "payments_disabled"]);

    // The currency is the event's: it moves the types along only while nothing is sold.
    const moved = await owner.patch(`/api/organize/events/${eventId}`, { currency: "usd" });
    expect([moved.status, moved.body.error?.code]).toEqual([409, "currency_locked"]);
    const { eventId: fresh } = fixture.event("owner@example.org", "Fresh Conf");
    const unsold = (await owner.post(`/api/events/${fresh}/ticket-types`, typeBody({ name: "Day pass" }))).body.ticketType;
    expect(unsold.currency).toBe("eur");
    expect((await owner.patch(`/api/organize/events/${fresh}`, { currency: "usd" })).status).toBe(200);
    const types = (await owner.get(`/api/events/${fresh}/ticket-types`)).body.ticketTypes;
    expect(types).toMatchObject([{ id: unsold.id, currency: "usd" }]);
    expect((await owner.delete(`/api/ticket-types/${unsold.id}`)).status).toBe(204);

    const activity = (await owner.get(`/api/organize/events/${eventId}/dashboard`)).body.activity as { action: string; by: string; after: { name?: string } | null }[];
    expect(activity).toContainEqual(expect.objectContaining({ action: "ticketing.type.update", by: "Olive Owner", after: expect.objectContaining({ name: "Sold out pass" }) }));
    const freshActivity = (await owner.get(`/api/organize/events/${fresh}/dashboard`)).body.activity.map((a: { action: string }) => a.action);
    expect(freshActivity).toEqual(expect.arrayContaining(["ticketing.type.create", "ticketing.type.delete", "event.update"]));
  });

  it("keep what a partial edit leaves out, and refuse unknown fields by name", async () => {
    const { eventId } = fixture.event("owner@example.org", "Partial Conf");
    const keynote = fixture.session(eventId, "Keynote");
    const created = await owner.post(`/api/events/${eventId}/ticket-types`, {
      name: "Early bird", description: "Before March", price: 0, quantity: 40, saleStartsAt: "2031-03-01T08:00:00.000Z", saleEndsAt: "2031-03-31T16:00:00.000Z",
      minPerOrder: 2, maxPerOrder: 4, hidden: true, accessCode: "EARLY-2031", sessionIds: [keynote], position: 3,
    });
    expect(created.status).toBe(201);
    const type = created.body.ticketType;
    expect(type).toMatchObject({ description: "Before March", position: 3, sessionIds: [keynote], hasAccessCode: true });

    // One field changes; every other one, the ones a full replacement used to reset included, stays.
    const quantity = await owner.patch(`/api/ticket-types/${type.id}`, { quantity: 50 });
    expect(quantity.status).toBe(200);
    expect(quantity.body.ticketType).toEqual({ ...type, quantity: 50, available: 50 });
    const listed = (await owner.get(`/api/events/${eventId}/ticket-types`)).body.ticketTypes;
    expect(listed).toEqual([{ ...type, quantity: 50, available: 50 }]);
    // The hidden type's own code still opens it.
    expect((await owner.get(`/api/discover/events/${fixture.eventSlug(eventId)}?code=early-2031`)).body.event.ticketTypes).toMatchObject([{ id: type.id }]);

    const updates = async () => (await owner.get(`/api/organize/events/${eventId}/dashboard`)).body.activity.filter((a: { action: string }) => a.action === "ticketing.type.update");
    const logged = await updates();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ before: { ticketTypeId: type.id, name: "Early bird", quantity: 40 }, after: { ticketTypeId: type.id, name: "Early bird", quantity: 50 } });

    // An empty edit is a no-op: the type as it stands, nothing logged.
    const empty = await owner.patch(`/api/ticket-types/${type.id}`, {});
    expect([empty.status, empty.body.ticketType]).toEqual([200, { ...type, quantity: 50, available: 50 }]);
    expect(await updates()).toHaveLength(1);

    // Bad input names the field and changes nothing.
    const wrongType = await owner.patch(`/api/ticket-types/${type.id}`, { position: "1", quantity: 60 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.fields).toEqual([{ path: "position", message: expect.stringMatching(/expected number/) }]);
    const unknown = await owner.patch(`/api/ticket-types/${type.id}`, { colour: "red", quantity: 60 });
    expect(unknown.body.error.fields).toEqual([{ path: "colour", message: "Not a field of a ticket type" }]);
    const currency = await owner.patch(`/api/ticket-types/${type.id}`, { currency: "usd" });
    expect(currency.body.error.fields).toEqual([{ path: "currency", message: "The currency is the event's: change it on the event" }]);
    // What the API answered, sent back as is, is refused for its read-only fields, each by name.
    const echoed = await owner.patch(`/api/ticket-types/${type.id}`, type);
    expect(echoed.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["available", "currency", "eventId", "hasAccessCode", "held", "id", "sold"]);
    // Rules across fields hold against the stored values.
    const fewer = await owner.patch(`/api/ticket-types/${type.id}`, { maxPerOrder: 1 });
    expect(fewer.body.error.fields).toEqual([{ path: "maxPerOrder", message: "Must be at least the minimum per order" }]);
    const ends = await owner.patch(`/api/ticket-types/${type.id}`, { saleEndsAt: "2031-02-01T08:00:00.000Z" });
    expect(ends.body.error.fields).toEqual([{ path: "saleEndsAt", message: "Sales must end after they start" }]);
    expect((await owner.patch(`/api/ticket-types/${type.id}`, { saleStartsAt: null, saleEndsAt: "2031-02-01T08:00:00.000Z" })).status).toBe(200);
    expect(await updates()).toHaveLength(2);

    // Null and empty clear what they name, and only that.
    const cleared = await owner.patch(`/api/ticket-types/${type.id}`, { accessCode: null, sessionIds: [] });
    expect(cleared.body.ticketType).toEqual({ ...type, quantity: 50, available: 50, saleStartsAt: null, saleEndsAt: "2031-02-01T08:00:00.000Z", hasAccessCode: false, sessionIds: [] });
  });
});
