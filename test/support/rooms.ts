/**
 * Live-room fixtures for end-to-end tests: people (with a session cookie), an organization,
 * an approved event with a session that has a live room, a free ticket type and tickets,
 * written straight into the test server's database file (the server reads them as it would
 * rows its own routes wrote).
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Kysely } from "kysely";
import { createSession, SESSION_COOKIE } from "../../server/accounts/sessions.ts";
import { createUser } from "../../server/accounts/users.ts";
import type { DB } from "../../server/db/schema.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
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
    const fixture = new RoomFixture(openSqlite({ file: path.join(server.dataDir, "plenary.sqlite"), busyTimeoutMs: 5_000 }));
    const now = new Date().toISOString();
    const { db } = fixture;
    // An admin exists, so the web app is past its first-run page.
    if (!(await db.selectFrom("users").select("id").where("role", "=", "admin").executeTakeFirst())) {
      await createUser(db, { email: `admin.${fixture.slug}@example.org`, displayName: "Site Admin", password: "room test password 1" }, "admin", { emailVerified: true });
    }
    await db.insertInto("organizations").values({ id: fixture.organizationId, name: "Live Org", slug: `org-${fixture.slug}`, created_at: now, updated_at: now }).execute();
    await db
      .insertInto("events")
      .values({
        id: fixture.eventId, organization_id: fixture.organizationId, slug: fixture.slug, title: "Live Event", time_zone: "UTC",
        starts_at: now, ends_at: new Date(Date.now() + 3_600_000).toISOString(), currency: "eur", status: "approved",
        created_by: null, created_at: now, updated_at: now,
      })
      .execute();
    await db
      .insertInto("ticket_types")
      .values({ id: fixture.ticketTypeId, event_id: fixture.eventId, name: "Free", price: 0, currency: "eur", quantity: 1000, created_at: now, updated_at: now })
      .execute();
    return fixture;
  }

  /** A session of the event with a live room; returns its id (the room name). */
  async session(options: { lobbyMode?: "ticket_holders" | "knock"; maxPeers?: number; maxPublishers?: number; title?: string } = {}): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await this.db
      .insertInto("event_sessions")
      .values({
        id, event_id: this.eventId, title: options.title ?? "Opening keynote", starts_at: now, ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        lobby_mode: options.lobbyMode ?? "ticket_holders", max_peers: options.maxPeers ?? null, max_publishers: options.maxPublishers ?? null,
        created_at: now, updated_at: now,
      })
      .execute();
    return id;
  }

  /** A verified user with a logged-in session cookie. */
  async person(name: string): Promise<RoomPerson> {
    const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${++this.#people}.${this.eventId.slice(0, 6)}@example.org`;
    const user = await createUser(this.db, { email, displayName: name, password: "room test password 1" }, "user", { emailVerified: true });
    const session = await createSession(this.db, user.id, { userAgent: "test", ip: "127.0.0.1" }, 1);
    return { id: user.id, name, cookie: `${SESSION_COOKIE}=${session.token}`, sessionToken: session.token };
  }

  async teamMember(person: RoomPerson, role: "owner" | "co_host" | "moderator" | "check_in_staff"): Promise<void> {
    await this.db.insertInto("event_team").values({ event_id: this.eventId, user_id: person.id, role, added_by: null, created_at: new Date().toISOString() }).execute();
  }

  async speaker(person: RoomPerson, sessionId: string): Promise<void> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await this.db.insertInto("speakers").values({ id, event_id: this.eventId, user_id: person.id, name: person.name, created_at: now, updated_at: now }).execute();
    await this.db.insertInto("session_speakers").values({ session_id: sessionId, speaker_id: id }).execute();
  }

  /** A paid (free) order with one valid ticket for the person; `sessions` limits the ticket type when given. */
  async ticket(person: RoomPerson, options: { status?: "valid" | "cancelled"; onlySessions?: string[] } = {}): Promise<string> {
    const now = new Date().toISOString();
    let typeId = this.ticketTypeId;
    if (options.onlySessions) {
      typeId = randomUUID();
      await this.db.insertInto("ticket_types").values({ id: typeId, event_id: this.eventId, name: "Day pass", price: 0, currency: "eur", quantity: 100, created_at: now, updated_at: now }).execute();
      for (const session of options.onlySessions) await this.db.insertInto("ticket_type_sessions").values({ ticket_type_id: typeId, session_id: session }).execute();
    }
    const orderId = randomUUID();
    const itemId = randomUUID();
    const ticketId = randomUUID();
    await this.db
      .insertInto("orders")
      .values({ id: orderId, event_id: this.eventId, user_id: person.id, buyer_name: person.name, buyer_email: "x@example.org", status: "paid", currency: "eur", subtotal: 0, total: 0, provider: "free", created_at: now, updated_at: now })
      .execute();
    await this.db.insertInto("order_items").values({ id: itemId, order_id: orderId, ticket_type_id: typeId, unit_amount: 0, holder_name: person.name, holder_email: "x@example.org" }).execute();
    await this.db
      .insertInto("tickets")
      .values({
        id: ticketId, order_id: orderId, order_item_id: itemId, event_id: this.eventId, ticket_type_id: typeId, user_id: person.id,
        holder_name: person.name, holder_email: "x@example.org", status: options.status ?? "valid", code: `code-${ticketId}`, created_at: now, updated_at: now,
      })
      .execute();
    return ticketId;
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
