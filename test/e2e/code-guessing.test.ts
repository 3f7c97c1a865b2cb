/**
 * Guessing short secrets on the real server: invite access codes (one pause per address for
 * every route that reads a code, kept across a restart, the right code refused while paused)
 * and promo codes (paused per address and per event; new codes need 6 characters, older
 * shorter ones still work). Addresses come from X-Forwarded-For behind a trusted proxy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, verifiedUser } from "../support/accounts.ts";
import { EventFixture } from "../support/event-fixture.ts";
import { type ApiResponse, TestClient } from "../support/http-client.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";
import { createTicketType, seat } from "./checkout-support.ts";

const ENV = {
  PLENARY_HTTP_TRUST_PROXY: "true",
  PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "100000",
  PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "100000",
  PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "100000",
};
const ACCESS_CODE = "OPEN-SESAME-42";

let smtp: TestSmtpServer;
let server: TestServer;
let sqlite: SQLite.Database;
const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-guessing-"));
let invite: { id: string; slug: string };

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ dataDir, env: { ...smtp.env, ...ENV } });
  await firstAdmin(server);
  sqlite = new SQLite(path.join(dataDir, "plenary.sqlite"));
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  const org = seed.writeNow(sqlite, seed.organization({ name: "Guarded Org" }));
  invite = seed.writeNow(sqlite, seed.event({ organizationId: org.id, title: "Invite Only Summit", visibility: "invite_only", accessCode: ACCESS_CODE }));
  seed.writeNow(sqlite, seed.ticketType({ eventId: invite.id, name: "Invitee pass" }));
}, 120_000);
afterAll(async () => {
  sqlite?.close();
  await server?.stop();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A visitor at one address (behind the trusted proxy). */
function from(ip: string) {
  const client = new TestClient(server.url);
  return {
    get: (url: string) => client.request("GET", url, undefined, { "x-forwarded-for": ip }),
    post: (url: string, body: unknown, headers: Record<string, string> = {}) => client.request("POST", url, body, { "x-forwarded-for": ip, ...headers }),
  };
}

/** The code an order was placed with. */
const promoOf = (orderId: string) =>
  (sqlite.prepare("select p.code from orders o join promo_codes p on p.id = o.promo_code_id where o.id = ?").get(orderId) as { code: string } | undefined)?.code;

function expectPaused(response: ApiResponse, message: RegExp) {
  expect(response.status).toBe(429);
  expect(response.body.error.code).toBe("rate_limited");
  expect(response.body.error.message).toMatch(message);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
}

describe("invite access codes", () => {
  it("pauses an address after 10 wrong codes on the offer route, refuses even the right code on every route, and keeps the pause across a restart", async () => {
    const guesser = from("203.0.113.7");
    const offer = (code: string) => `/api/events/${invite.slug}/offer?accessCode=${encodeURIComponent(code)}`;
    for (let i = 0; i < 10; i++) expect((await guesser.get(offer(`WRONG-${i}`))).status).toBe(404);

    expectPaused(await guesser.get(offer(ACCESS_CODE)), /Too many wrong access codes/);
    // One guard for every route that reads a code.
    expectPaused(await guesser.get(`/api/discover/events/${invite.slug}?code=${ACCESS_CODE}`), /access codes/);
    expectPaused(
      await guesser.post(`/api/events/${invite.id}/guest-checkout`, { buyer: { name: "G", email: "g@example.org" }, seats: [seat(randomUUID())], accessCode: ACCESS_CODE }, { "idempotency-key": randomUUID() }),
      /access codes/,
    );
    // Another address is not paused.
    const other = await from("198.51.100.20").get(offer(ACCESS_CODE));
    expect(other.status).toBe(200);
    expect(other.body.ticketTypes.map((t: { name: string }) => t.name)).toEqual(["Invitee pass"]);

    await server.stop();
    server = await startServer({ dataDir, env: { ...smtp.env, ...ENV } });
    expectPaused(await from("203.0.113.7").get(offer(ACCESS_CODE)), /Too many wrong access codes/);
    expect((await from("198.51.100.20").get(offer(ACCESS_CODE))).status).toBe(200);
  });
});

describe("promo codes", () => {
  let organizer: TestClient;
  let fixture: EventFixture;
  let fixtureOwner = "";

  beforeAll(async () => {
    const email = `organizer-${randomUUID().slice(0, 6)}@example.org`;
    organizer = await verifiedUser(server, smtp, email, "Olga Organizer");
    fixture = new EventFixture(server);
    fixtureOwner = email;
  }, 120_000);
  afterAll(() => fixture?.close());

  async function eventWithCode(title: string, code: string) {
    const { eventId } = fixture.event(fixtureOwner, title);
    const type = await createTicketType(organizer, eventId, { name: "Pass", price: 0, quantity: 500 });
    const created = await organizer.post(`/api/events/${eventId}/promo-codes`, { code, kind: "percent", value: 1_000 });
    expect(created.status).toBe(201);
    return { eventId, typeId: type.id };
  }

  const guestCheckout = (ip: string, eventId: string, typeId: string, promoCode?: string) =>
    from(ip).post(
      `/api/events/${eventId}/guest-checkout`,
      { buyer: { name: "Pat Guest", email: "pat@example.org" }, seats: [seat(typeId, "Pat Guest", "pat@example.org")], ...(promoCode ? { promoCode } : {}) },
      { "idempotency-key": randomUUID() },
    );

  it("pauses an address after 10 wrong promo codes, the right one too, while other addresses go on", async () => {
    const { eventId, typeId } = await eventWithCode("Promo Per Address", "FRIENDS-2026");
    for (let i = 0; i < 10; i++) {
      const wrong = await guestCheckout("192.0.2.50", eventId, typeId, `GUESS${i}`);
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.fields).toEqual([{ path: "promoCode", message: "This code is not valid for this event" }]);
    }
    expectPaused(await guestCheckout("192.0.2.50", eventId, typeId, "FRIENDS-2026"), /Too many wrong promo codes/);
    // Without a code the address still buys; another address uses the code.
    expect((await guestCheckout("192.0.2.50", eventId, typeId)).status).toBe(201);
    const other = await guestCheckout("192.0.2.51", eventId, typeId, "friends-2026");
    expect(other.status).toBe(201);
    expect(promoOf(other.body.order.id)).toBe("FRIENDS-2026");
  });

  it("pauses an event's promo codes after 50 wrong ones from many addresses", async () => {
    const { eventId, typeId } = await eventWithCode("Promo Per Event", "CREW-ONLY-7");
    let wrong = 0;
    let paused: ApiResponse | null = null;
    // Up to 10 a address (its own limit), so a 429 here is the event's.
    for (let a = 1; a <= 7 && !paused; a++) {
      for (let i = 0; i < 10; i++) {
        const response = await guestCheckout(`192.0.2.${100 + a}`, eventId, typeId, `NOPE-${a}-${i}`);
        if (response.status === 429) {
          paused = response;
          break;
        }
        expect(response.status).toBe(400);
        wrong += 1;
      }
    }
    expect(paused).not.toBeNull();
    expectPaused(paused!, /Too many wrong promo codes/);
    // 50, or a little more if a token refilled on a slow machine.
    expect(wrong).toBeGreaterThanOrEqual(50);
    expect(wrong).toBeLessThan(60);
    expectPaused(await guestCheckout("192.0.2.200", eventId, typeId, "CREW-ONLY-7"), /Too many wrong promo codes/);
    expect((await guestCheckout("192.0.2.200", eventId, typeId)).status).toBe(201);
  });

  it("refuses new codes shorter than 6 characters or with other characters, and keeps older short codes working", async () => {
    const { eventId, typeId } = await eventWithCode("Promo Rules", "LONG-ENOUGH");
    const short = await organizer.post(`/api/events/${eventId}/promo-codes`, { code: "VIP", kind: "percent", value: 1_000 });
    expect(short.status).toBe(400);
    expect(short.body.error.fields).toEqual([{ path: "code", message: "Use at least 6 characters, so the code cannot be guessed" }]);
    const odd = await organizer.post(`/api/events/${eventId}/promo-codes`, { code: "SAVE 10%", kind: "percent", value: 1_000 });
    expect(odd.status).toBe(400);
    expect(odd.body.error.fields).toEqual([{ path: "code", message: "Use only letters, digits, dashes or underscores" }]);
    expect((await organizer.post(`/api/events/${eventId}/promo-codes`, { code: "save_10", kind: "percent", value: 1_000 })).status).toBe(201);

    // A code made before the rule.
    sqlite
      .prepare("insert into promo_codes (id, event_id, code, kind, value, created_at) values (?, ?, 'VIP', 'percent', 1000, ?)")
      .run(randomUUID(), eventId, new Date().toISOString());
    const old = await guestCheckout("192.0.2.77", eventId, typeId, "vip");
    expect(old.status).toBe(201);
    expect(promoOf(old.body.order.id)).toBe("VIP");
  });
});
