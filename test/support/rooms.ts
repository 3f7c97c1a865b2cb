/**
 * Live-room fixtures for end-to-end tests: people (with a session cookie), an organization,
 * an approved event with a session that has a live room, a free ticket type and tickets,
 * written straight into the test server's database file with seed.ts (the server reads them as
 * it would rows its own routes wrote).
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../server/db/schema.ts";
import * as seed from "./seed.ts";
import type { TestServer } from "./server.ts";

export type RoomPerson = { id: string; name: string; cookie: string; sessionToken: string };

export class RoomFixture {
  readonly db: Kysely<DB>;
  readonly organizationId = randomUUID();
  readonly eventId = randomUUID();
  readonly ticketTypeId = randomUUID();
  readonly slug = `live-${this.eventId.slice(0, 8)}`;
  #people = 0;

  private constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** An organization with an approved event and one free ticket type granting every session. */
  static async create(server: TestServer): Promise<RoomFixture> {
    const fixture = new RoomFixture(seed.openServerDb(server.dataDir));
    const { db } = fixture;
    // An admin exists, so the web app is past its first-run page.
    if (!(await db.selectFrom("users").select("id").where("role", "=", "admin").executeTakeFirst())) {
      await seed.user(db, { email: `admin.${fixture.slug}@example.org`, name: "Site Admin", role: "admin" });
    }
    await seed.write(db, seed.organization({ id: fixture.organizationId, name: "Live Org", slug: `org-${fixture.slug}` }));
    const startsAt = new Date().toISOString();
    await seed.write(db, seed.event({ id: fixture.eventId, organizationId: fixture.organizationId, slug: fixture.slug, title: "Live Event", startsAt, endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString() }));
    await seed.write(db, seed.ticketType({ id: fixture.ticketTypeId, eventId: fixture.eventId, name: "Free", quantity: 1000 }));
    return fixture;
  }

  /** A session of the event with a live room; returns its id (the room name). */
  async session(options: { lobbyMode?: "ticket_holders" | "knock"; maxPeers?: number; maxPublishers?: number; title?: string } = {}): Promise<string> {
    return seed.write(this.db, seed.session({ eventId: this.eventId, ...options }));
  }

  /** A verified user with a logged-in session cookie. */
  async person(name: string): Promise<RoomPerson> {
    const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${++this.#people}.${this.eventId.slice(0, 6)}@example.org`;
    const id = await seed.user(this.db, { email, name });
    const session = await seed.signedIn(this.db, id);
    return { id, name, cookie: session.cookie, sessionToken: session.token };
  }

  async teamMember(person: RoomPerson, role: "owner" | "co_host" | "moderator" | "check_in_staff"): Promise<void> {
    await seed.write(this.db, seed.teamMember({ eventId: this.eventId, userId: person.id, role }));
  }

  /** A new person on the event's team as co-host: a host in every room of the event. */
  async coHost(name: string): Promise<RoomPerson> {
    const person = await this.person(name);
    await this.teamMember(person, "co_host");
    return person;
  }

  /** A new person with a ticket: the audience of every room. */
  async attendee(name: string): Promise<RoomPerson> {
    const person = await this.person(name);
    await this.ticket(person);
    return person;
  }

  async speaker(person: RoomPerson, sessionId: string): Promise<void> {
    await seed.write(this.db, seed.speaker({ eventId: this.eventId, userId: person.id, name: person.name, sessionIds: [sessionId] }));
  }

  /** A paid (free) order with one valid ticket for the person; `onlySessions` limits its ticket type to those sessions. */
  async ticket(person: RoomPerson, options: { status?: "valid" | "cancelled"; onlySessions?: string[] } = {}): Promise<string> {
    let ticketTypeId: string = this.ticketTypeId;
    if (options.onlySessions) ({ id: ticketTypeId } = await seed.write(this.db, seed.ticketType({ eventId: this.eventId, name: "Day pass", sessionIds: options.onlySessions })));
    const holder = { holderName: person.name, holderEmail: "x@example.org" };
    const order = seed.order({ eventId: this.eventId, userId: person.id, buyerName: person.name, buyerEmail: holder.holderEmail, seats: [{ ticketTypeId, ...holder, status: options.status }] });
    return (await seed.write(this.db, order)).tickets[0].id;
  }

  /** Asks the real server for a join token as `person`. */
  async joinToken(server: TestServer, person: RoomPerson, sessionId: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${server.url}/api/rooms/${sessionId}/join-token`, {
      method: "POST",
      headers: { cookie: person.cookie, origin: server.url, "content-type": "application/json" },
      body: "{}",
    });
    return { status: response.status, body: await response.json() };
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** A JSON request to the real server as `person` (null: nobody logged in), with the raw text kept. */
export async function requestAs(server: TestServer, person: RoomPerson | null, method: string, url: string, body?: unknown): Promise<{ status: number; text: string; body: any }> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { origin: server.url, "content-type": "application/json", ...(person ? { cookie: person.cookie } : {}) },
    body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

/** The room as a member sees it: flags, the stage and the audience count (sfu/room-roster.ts). */
export type RoomSnapshot = {
  version: number;
  opened: boolean;
  locked: boolean;
  lobbyCount: number;
  audience: number;
  stage: { peerId: string; identity: string; name: string; role: string; hand: number | null; microphone: string; camera: string; screen: boolean; locked: string[] }[];
  [key: string]: unknown;
};

/**
 * A snapshot brought up to date with the `room.delta` frames received after it, as the room
 * page does: a delta applies to the version it names (`from`); older ones are skipped.
 */
export function applyDeltas(snapshot: RoomSnapshot, frames: readonly { t: string; [key: string]: unknown }[]): RoomSnapshot {
  let state: RoomSnapshot = { ...snapshot, stage: [...snapshot.stage] };
  for (const frame of frames) {
    if (frame.t !== "room.delta" || (frame.version as number) <= state.version) continue;
    if (frame.from !== state.version) throw new Error(`room.delta from ${String(frame.from)} does not follow version ${state.version}`);
    const { t: _, upsert, remove, from: __, ...flags } = frame as unknown as { t: string; upsert: RoomSnapshot["stage"]; remove: string[]; from: number };
    const gone = new Set([...remove, ...upsert.map((p) => p.peerId)]);
    state = { ...state, ...flags, stage: [...state.stage.filter((p) => !gone.has(p.peerId)), ...upsert] };
  }
  return state;
}
