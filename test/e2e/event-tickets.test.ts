/**
 * The rules of editing an event's ticket types, each refused with its own error: quantity
 * never below sold + held, price and currency fixed once anything is sold or held, sessions
 * only of the event, deletion only without orders; and each change on the dashboard's
 * activity, saying who did it.
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

    const low = await owner.put(`/api/ticket-types/${sold.id}`, typeBody({ name: "Sold pass", quantity: 1 }));
    expect(low.status).toBe(400);
    expect(low.body.error.fields).toEqual([{ path: "quantity", message: "2 are sold or held; the quantity cannot be lower" }]);
    const priced = await owner.put(`/api/ticket-types/${sold.id}`, typeBody({ name: "Sold pass", price: 900 }));
    expect([priced.status, priced.body.error.code]).toEqual([409, "price_locked"]);
    const foreign = await owner.put(`/api/ticket-types/${sold.id}`, typeBody({ name: "Sold pass", sessionIds: [randomUUID()] }));
    expect(foreign.body.error.fields).toEqual([{ path: "sessionIds", message: "Not a session of this event" }]);
    const deleted = await owner.delete(`/api/ticket-types/${sold.id}`);
    expect([deleted.status, deleted.body.error.code]).toEqual([409, "ticket_type_in_use"]);
    // Hiding and renaming stay possible.
    const hidden = await owner.put(`/api/ticket-types/${sold.id}`, typeBody({ name: "Sold out pass", quantity: 2, hidden: true, accessCode: "LATECOMERS" }));
    expect(hidden.body.ticketType).toMatchObject({ name: "Sold out pass", quantity: 2, hidden: true, hasAccessCode: true, sold: 2 });

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
});
