/**
 * The checkout rate limit on the real server: per buyer and per IP address, a 429 with a
 * clear message and Retry-After past either, a replayed request (same Idempotency-Key)
 * answered without counting, and the buckets kept across a restart on the same data folder.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { buyer, type CheckoutWorld, checkout, createTicketType, organizerEvent, seat, startCheckoutWorld } from "./checkout-support.ts";

let world: CheckoutWorld;
let eventId: string, typeId: string;

beforeAll(async () => {
  world = await startCheckoutWorld({ env: { PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "6", PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "3" } });
  const organizer = await organizerEvent(world, "Limited Meetup");
  eventId = organizer.eventId;
  typeId = (await createTicketType(organizer.client, eventId, { name: "Free entry", quantity: 100, maxPerOrder: 10 })).id;
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe("checkout rate limit", () => {
  it("stops a buyer after their allowance, then the IP address after its own", async () => {
    const { client: first } = await buyer(world, "eager");
    const key = randomUUID();
    expect((await checkout(first, eventId, { seats: [seat(typeId)] }, key)).status).toBe(201);
    // A retry with the same key is the same attempt.
    expect((await checkout(first, eventId, { seats: [seat(typeId)] }, key)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await checkout(first, eventId, { seats: [seat(typeId)] })).status).toBe(201);
    const refused = await checkout(first, eventId, { seats: [seat(typeId)] });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "rate_limited" });
    expect(refused.body.error.message).toMatch(/^Too many checkout attempts; try again in \d+ seconds?$/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(20);

    // Another buyer from the same address still has an allowance, until the address's 6 are used.
    const { client: second } = await buyer(world, "patient");
    for (let i = 0; i < 3; i++) expect((await checkout(second, eventId, { seats: [seat(typeId)] })).status).toBe(201);
    const guest = new TestClient(world.server.url);
    const byIp = await guest.request("POST", `/api/events/${eventId}/guest-checkout`, { buyer: { name: "G", email: "g@example.org" }, seats: [seat(typeId)] }, { "idempotency-key": randomUUID() });
    expect(byIp.status).toBe(429);
    expect(Number(byIp.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Refused attempts took no seats.
    expect(world.sql.prepare("select sold, held from ticket_types where id = ?").get(typeId)).toEqual({ sold: 6, held: 0 });
  });
});

describe("checkout rate limit across a restart", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-limit-restart-"));
  // One attempt a minute per buyer: the allowance cannot refill while the server restarts.
  const env = { PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "100000", PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "100", PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "1" };
  let server: TestServer | null = null;
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const guestCheckout = (url: string, eventId: string, typeId: string, email: string) =>
    new TestClient(url).request("POST", `/api/events/${eventId}/guest-checkout`, { buyer: { name: "Gus Guest", email }, seats: [{ ticketTypeId: typeId, name: "Gus Guest", email }] }, { "idempotency-key": randomUUID() });

  it("still refuses a buyer whose allowance was used before the server restarted", async () => {
    server = await startServer({ dataDir, env });
    await firstAdmin(server);
    const fixture = new EventFixture(server);
    const { eventId } = fixture.event("admin@example.org", "Restart Meetup");
    const typeId = fixture.ticketType(eventId, "Free entry").id;
    fixture.close();

    expect((await guestCheckout(server.url, eventId, typeId, "gus@example.org")).status).toBe(201);
    expect((await guestCheckout(server.url, eventId, typeId, "gus@example.org")).status).toBe(429);
    expect(await server.stop()).toBe(0);

    server = await startServer({ dataDir, env });
    const refused = await guestCheckout(server.url, eventId, typeId, "GUS@example.org");
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/^Too many checkout attempts; try again in \d+ seconds?$/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    // Another buyer from the same address is let through: only Gus's bucket is empty.
    expect((await guestCheckout(server.url, eventId, typeId, "other@example.org")).status).toBe(201);
    const check = new SQLite(path.join(dataDir, "plenary.sqlite"), { readonly: true });
    expect(check.prepare("select count(*) as n from orders where buyer_email = 'gus@example.org'").get()).toEqual({ n: 1 });
    check.close();
  });
});
