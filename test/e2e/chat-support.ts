/**
 * A small world for the chat, polls, Q&A and notification tests: users, an organization
 * with an approved event, sessions and a ticket type, and tickets, written straight into the
 * running server's database with seed.ts (the events and ticketing routes are another
 * issue's), plus logged-in HTTP clients and sockets for those users.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Browser, Page } from "playwright-core";
import type { DB } from "../../server/db/schema.ts";
import { logIn } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSocket } from "../support/ws-client.ts";

export const openDb = (server: TestServer): Kysely<DB> => seed.openServerDb(server.dataDir);

export type Person = { id: string; email: string; name: string; http: TestClient };

export async function person(server: TestServer, db: Kysely<DB>, name: string, role: "user" | "admin" = "user"): Promise<Person> {
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}-${randomUUID().slice(0, 8)}@example.org`;
  const id = await seed.user(db, { email, name, role });
  const http = new TestClient(server.url);
  await logIn(http, email);
  return { id, email, name, http };
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

/**
 * An approved event owned by `owner` (its team's owner, with no `added_by`, as the events
 * routes write a creator), with sessions starting at the given times (default: in a week), each
 * an hour long, and a free ticket type for all of them; moderators are on the team as added by
 * the owner.
 */
export async function eventWorld(
  db: Kysely<DB>,
  owner: Pick<Person, "id">,
  options: { sessions?: Date[]; moderators?: Person[]; reminderOffsets?: number[]; title?: string } = {},
): Promise<EventWorld> {
  const eventId = randomUUID();
  const slug = `event-${eventId.slice(0, 8)}`;
  const starts = options.sessions ?? [new Date(Date.now() + 7 * 86_400_000)];
  return db.transaction().execute(async (trx) => {
    const organization = await seed.write(trx, seed.organization({ name: `Org ${slug}`, slug: `org-${slug}`, ownerId: owner.id }));
    await seed.write(trx, seed.event({
      id: eventId, organizationId: organization.id, slug, title: options.title ?? "Test Summit", timeZone: "Europe/Paris",
      startsAt: starts[0].toISOString(), endsAt: new Date(starts.at(-1)!.getTime() + 3_600_000).toISOString(), reminderOffsets: options.reminderOffsets, ownerId: owner.id,
    }));
    for (const moderator of options.moderators ?? []) await seed.write(trx, seed.teamMember({ eventId, userId: moderator.id, role: "moderator", addedBy: owner.id }));
    const sessionIds: string[] = [];
    for (const [i, start] of starts.entries()) sessionIds.push(await seed.write(trx, seed.session({ eventId, title: `Session ${i + 1}`, startsAt: start.toISOString() })));
    const ticketType = await seed.write(trx, seed.ticketType({ eventId, name: "General", quantity: 1_000 }));
    return { organizationId: organization.id, eventId, slug, sessionIds, ticketTypeId: ticketType.id };
  });
}

/**
 * A free ticket for the person (or for an address without an account); returns its id. It is
 * seed.ts's paid order: paid now and counted as sold on its ticket type, as a free checkout
 * leaves it.
 */
export async function giveTicket(db: Kysely<DB>, world: EventWorld, holder: Pick<Person, "id" | "email" | "name"> | { email: string; name: string }, ticketTypeId = world.ticketTypeId): Promise<string> {
  const seat = { ticketTypeId, holderName: holder.name, holderEmail: holder.email };
  const userId = "id" in holder ? holder.id : null;
  const order = await seed.write(db, seed.order({ eventId: world.eventId, userId, buyerName: holder.name, buyerEmail: holder.email, seats: [seat] }));
  return order.tickets[0].id;
}

/** Puts someone on the event's team in a role (a moderator without the cast's "Mo", check-in staff). */
export async function addToTeam(db: Kysely<DB>, world: EventWorld, who: Pick<Person, "id">, role: "co_host" | "moderator" | "check_in_staff"): Promise<void> {
  await seed.write(db, seed.teamMember({ eventId: world.eventId, userId: who.id, role }));
}

/** Lists the person as one of the event's speakers. */
export async function addSpeaker(db: Kysely<DB>, world: EventWorld, who: Pick<Person, "id" | "name">): Promise<void> {
  await seed.write(db, seed.speaker({ eventId: world.eventId, userId: who.id, name: who.name }));
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
  // The suites script many writes per person in quick succession; the per-person write budget
  // has its own test (realtime-abuse.test.ts), so it is wide here rather than timing-dependent.
  const server = await startServer({ env: { PLENARY_REALTIME_USER_WRITE_BURST: "1000", ...options.env } });
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
