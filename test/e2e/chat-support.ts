/**
 * A small world for the chat, polls, Q&A and notification tests: users, an organization
 * with an approved event, sessions and a ticket type, and tickets, written straight into the
 * running server's database (the events and ticketing routes are another issue's), plus
 * logged-in HTTP clients and sockets for those users.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Kysely } from "kysely";
import { type Browser, chromium, type Page } from "playwright-core";
import { createUser } from "../../server/accounts/users.ts";
import type { DB } from "../../server/db/schema.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
import { logIn, PASSWORD } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSocket } from "../support/ws-client.ts";

export const openDb = (server: TestServer): Kysely<DB> => openSqlite({ file: path.join(server.dataDir, "plenary.sqlite") });

export type Person = { id: string; email: string; name: string; http: TestClient };

export async function person(server: TestServer, db: Kysely<DB>, name: string, role: "user" | "admin" = "user"): Promise<Person> {
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}-${randomUUID().slice(0, 8)}@example.org`;
  const user = await createUser(db, { email, displayName: name, password: PASSWORD }, role, { emailVerified: true });
  const http = new TestClient(server.url);
  await logIn(http, email);
  return { id: user.id, email, name, http };
}

/** A socket that carries the person's session cookie, as their browser tab would. */
export function socketOf(server: TestServer, who: Person): Promise<TestSocket> {
  return TestSocket.open(server.url, { headers: { cookie: who.http.cookieHeader, origin: server.url } });
}

/** Sends a request and returns its `data`, failing the test on an error reply. */
export async function ok(socket: TestSocket, t: string, payload: Record<string, unknown> = {}): Promise<any> {
  const reply = await socket.request(t, payload);
  if (reply.t !== "ok") throw new Error(`${t} failed: ${JSON.stringify(reply)}`);
  return reply.data;
}

/** Sends a request that must fail; returns the error code. */
export async function refused(socket: TestSocket, t: string, payload: Record<string, unknown> = {}): Promise<string> {
  const reply = await socket.request(t, payload);
  if (reply.t !== "error") throw new Error(`${t} should have failed: ${JSON.stringify(reply)}`);
  return String(reply.code);
}

export type EventWorld = { organizationId: string; eventId: string; slug: string; sessionIds: string[]; ticketTypeId: string };

/** An approved event owned by `owner`, with sessions starting at the given times (default: in a week). */
export async function eventWorld(
  db: Kysely<DB>,
  owner: Pick<Person, "id">,
  options: { sessions?: Date[]; moderators?: Person[]; reminderOffsets?: number[]; title?: string } = {},
): Promise<EventWorld> {
  const now = new Date().toISOString();
  const organizationId = randomUUID();
  const eventId = randomUUID();
  const slug = `event-${eventId.slice(0, 8)}`;
  const starts = options.sessions ?? [new Date(Date.now() + 7 * 86_400_000)];
  await db.insertInto("organizations").values({ id: organizationId, name: `Org ${slug}`, slug: `org-${slug}`, created_at: now, updated_at: now }).execute();
  await db.insertInto("organization_members").values({ organization_id: organizationId, user_id: owner.id, role: "owner", created_at: now }).execute();
  await db.insertInto("events").values({
    id: eventId, organization_id: organizationId, slug, title: options.title ?? "Test Summit", time_zone: "Europe/Paris",
    starts_at: starts[0].toISOString(), ends_at: new Date(starts.at(-1)!.getTime() + 3_600_000).toISOString(), currency: "eur",
    status: "approved", reminder_offsets: JSON.stringify(options.reminderOffsets ?? [1_440, 60]), created_by: owner.id, created_at: now, updated_at: now,
  }).execute();
  await db.insertInto("event_team").values({ event_id: eventId, user_id: owner.id, role: "owner", added_by: owner.id, created_at: now }).execute();
  for (const moderator of options.moderators ?? []) {
    await db.insertInto("event_team").values({ event_id: eventId, user_id: moderator.id, role: "moderator", added_by: owner.id, created_at: now }).execute();
  }
  const sessionIds: string[] = [];
  for (const [i, start] of starts.entries()) {
    const id = randomUUID();
    sessionIds.push(id);
    await db.insertInto("event_sessions").values({
      id, event_id: eventId, title: `Session ${i + 1}`, starts_at: start.toISOString(), ends_at: new Date(start.getTime() + 3_600_000).toISOString(),
      created_at: now, updated_at: now,
    }).execute();
  }
  const ticketTypeId = randomUUID();
  await db.insertInto("ticket_types").values({ id: ticketTypeId, event_id: eventId, name: "General", price: 0, currency: "eur", quantity: 1_000, created_at: now, updated_at: now }).execute();
  return { organizationId, eventId, slug, sessionIds, ticketTypeId };
}

/** A free ticket for the person (or for an address without an account); returns its id. */
export async function giveTicket(db: Kysely<DB>, world: EventWorld, holder: Pick<Person, "id" | "email" | "name"> | { email: string; name: string }, ticketTypeId = world.ticketTypeId): Promise<string> {
  const now = new Date().toISOString();
  const orderId = randomUUID();
  const itemId = randomUUID();
  const ticketId = randomUUID();
  const userId = "id" in holder ? holder.id : null;
  await db.insertInto("orders").values({
    id: orderId, event_id: world.eventId, user_id: userId, buyer_name: holder.name, buyer_email: holder.email, status: "paid", currency: "eur",
    subtotal: 0, total: 0, provider: "free", created_at: now, updated_at: now,
  }).execute();
  await db.insertInto("order_items").values({ id: itemId, order_id: orderId, ticket_type_id: ticketTypeId, unit_amount: 0, holder_name: holder.name, holder_email: holder.email }).execute();
  await db.insertInto("tickets").values({
    id: ticketId, order_id: orderId, order_item_id: itemId, event_id: world.eventId, ticket_type_id: ticketTypeId, user_id: userId,
    holder_name: holder.name, holder_email: holder.email, code: `test-${ticketId}`, created_at: now, updated_at: now,
  }).execute();
  return ticketId;
}

/** Puts someone on the event's team in a role (a moderator without the cast's "Mo", check-in staff). */
export async function addToTeam(db: Kysely<DB>, world: EventWorld, who: Pick<Person, "id">, role: "co_host" | "moderator" | "check_in_staff"): Promise<void> {
  await db.insertInto("event_team").values({ event_id: world.eventId, user_id: who.id, role, added_by: null, created_at: new Date().toISOString() }).execute();
}

/** Lists the person as one of the event's speakers. */
export async function addSpeaker(db: Kysely<DB>, world: EventWorld, who: Pick<Person, "id" | "name">): Promise<void> {
  const now = new Date().toISOString();
  await db.insertInto("speakers").values({ id: randomUUID(), event_id: world.eventId, user_id: who.id, name: who.name, created_at: now, updated_at: now }).execute();
}

/** Pushes of a type the socket received, whether alone or inside `batch` frames. */
export function pushes(socket: TestSocket, t: string): any[] {
  return socket.frames.flatMap((f) => (f.t === "batch" ? (f.frames as any[]) : [f])).filter((f) => f.t === t);
}

export async function until<T>(fn: () => T | false | undefined | null | Promise<T | false | undefined | null>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Elements that stick out past the right edge of the window (a phone layout must have none). */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .map((e) => `${e.tagName}.${e.getAttribute("class") ?? ""}`)
      .slice(0, 8),
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A new browser window logged in as the person (their session cookie; null: nobody), at `path`. */
export async function windowAs(browser: Browser, server: TestServer, who: Person | null, path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  if (who) {
    const domain = new URL(server.url).hostname;
    await context.addCookies([...who.http.cookies].map(([name, value]) => ({ name, value, domain, path: "/", httpOnly: true })));
  }
  const page = await context.newPage();
  await page.goto(server.url + path);
  return page;
}

/**
 * The cast of the chat suites: a running server, the owner, a moderator ("Mo"), three ticket
 * holders (Alice, Bob, Carol) and an outsider, their event, and sockets that `close` shuts.
 */
export type ChatCast = {
  server: TestServer;
  db: Kysely<DB>;
  world: EventWorld;
  people: { owner: Person; mo: Person; alice: Person; bob: Person; carol: Person; outsider: Person };
  /** The event's lobby channel. */
  lobby: string;
  open(who: Person): Promise<TestSocket>;
  close(): Promise<void>;
};

export async function chatCast(options: { sessions?: Date[]; env?: Record<string, string> } = {}): Promise<ChatCast> {
  const server = await startServer({ env: options.env });
  const db = openDb(server);
  const [owner, mo, alice, bob, carol, outsider] = await Promise.all(
    ["Owner", "Mo", "Alice", "Bob", "Carol", "Outsider"].map((name) => person(server, db, name)),
  );
  const world = await eventWorld(db, owner, { moderators: [mo], sessions: options.sessions });
  for (const who of [alice, bob, carol]) await giveTicket(db, world, who);
  const sockets: TestSocket[] = [];
  return {
    server, db, world, people: { owner, mo, alice, bob, carol, outsider }, lobby: `event:${world.eventId}`,
    async open(who) {
      const socket = await socketOf(server, who);
      sockets.push(socket);
      return socket;
    },
    async close() {
      for (const socket of sockets) socket.close();
      await db.destroy();
      await server.stop();
    },
  };
}
