/**
 * Events and tickets written straight into a running test server's SQLite file, for tests of
 * what comes after a sale (check-in, rooms, chat) that should not depend on the checkout
 * flow. Ticket codes are signed with the server's own ticket key file, so they verify there.
 * The rows are seed.ts's, written at once so callers need not await them.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import SQLite from "better-sqlite3";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import * as seed from "./seed.ts";
import type { TestServer } from "./server.ts";

export type SeededTicketType = { id: string; name: string };
export type SeededTicket = { id: string; code: string; shortCode: string; holderName: string; holderEmail: string; ticketTypeId: string };

export class EventFixture {
  readonly #db: SQLite.Database;
  readonly #keys: TicketKeys;

  constructor(server: TestServer) {
    this.#db = new SQLite(path.join(server.dataDir, "plenary.sqlite"));
    this.#db.pragma("busy_timeout = 5000");
    this.#db.pragma("foreign_keys = ON");
    this.#keys = TicketKeys.load(path.join(server.dataDir, "keys"));
  }

  close() {
    this.#db.close();
  }

  userId(email: string): string {
    const row = this.#db.prepare("select id from users where email = ?").get(email) as { id: string } | undefined;
    if (!row) throw new Error(`no user ${email}`);
    return row.id;
  }

  /** An organization owned by `ownerEmail` with one approved public event starting in an hour. */
  event(ownerEmail: string, title = "Fixture Conference"): { organizationId: string; eventId: string } {
    const ownerId = this.userId(ownerEmail);
    return this.#db.transaction(() => {
      const organization = seed.writeNow(this.#db, seed.organization({ name: `${title} Org`, ownerId }));
      const event = seed.writeNow(this.#db, seed.event({ organizationId: organization.id, title, timeZone: "Europe/Paris", ownerId }));
      return { organizationId: organization.id, eventId: event.id };
    })();
  }

  setEvent(eventId: string, fields: { status?: string; visibility?: string; starts_at?: string; ends_at?: string }) {
    for (const [column, value] of Object.entries(fields)) {
      this.#db.prepare(`update events set ${column} = ? where id = ?`).run(value, eventId);
    }
  }

  eventSlug(eventId: string): string {
    return (this.#db.prepare("select slug from events where id = ?").get(eventId) as { slug: string }).slug;
  }

  organizationSlug(organizationId: string): string {
    return (this.#db.prepare("select slug from organizations where id = ?").get(organizationId) as { slug: string }).slug;
  }

  teamMember(eventId: string, email: string, role: "co_host" | "moderator" | "check_in_staff") {
    seed.writeNow(this.#db, seed.teamMember({ eventId, userId: this.userId(email), role }));
  }

  session(eventId: string, title = "Opening keynote"): string {
    return seed.writeNow(this.#db, seed.session({ eventId, title, startsAt: new Date(Date.now() + 600_000).toISOString() }));
  }

  /** A ticket type on sale now; `price` in minor units of the event's currency (euros). */
  ticketType(eventId: string, name: string, quantity = 100, price = 0): SeededTicketType {
    return seed.writeNow(this.#db, seed.ticketType({ eventId, name, quantity, price }));
  }

  /** A paid-for (free) order with one valid ticket for the holder; `userEmail` links it to an account. */
  ticket(eventId: string, type: SeededTicketType, holderName: string, holderEmail: string, userEmail?: string): SeededTicket {
    const userId = userEmail ? this.userId(userEmail) : null;
    const order = seed.order({ eventId, userId, buyerName: holderName, buyerEmail: holderEmail, seats: [{ ticketTypeId: type.id, holderName, holderEmail }], keys: this.#keys });
    const [ticket] = seed.writeNow(this.#db, order).tickets;
    return { id: ticket.id, code: ticket.code, shortCode: ticket.shortCode, holderName, holderEmail, ticketTypeId: type.id };
  }

  /** A recording row as the recording service leaves it (no media files: enough for lists and links). */
  recording(eventId: string, sessionId: string, fields: { title?: string; state?: string; access?: "ticket_holders" | "everyone" } = {}): string {
    const id = randomUUID();
    const now = new Date().toISOString();
    this.#db
      .prepare("insert into recordings (id, event_id, session_id, title, state, access, started_at, ended_at, duration_ms, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 600000, ?, ?)")
      .run(id, eventId, sessionId, fields.title ?? "Opening keynote", fields.state ?? "ready", fields.access ?? "ticket_holders", now, now, now, now);
    return id;
  }

  setTicketStatus(ticketId: string, status: "valid" | "refunded" | "revoked" | "cancelled", reason = "") {
    this.#db.prepare("update tickets set status = ?, status_reason = ? where id = ?").run(status, reason, ticketId);
  }
}
