/**
 * Events and tickets written straight into a running test server's SQLite file, for tests of
 * what comes after a sale (check-in, rooms, chat) that should not depend on the checkout
 * flow. Ticket codes are signed with the server's own ticket key file, so they verify there.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import SQLite from "better-sqlite3";
import { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import type { TestServer } from "./server.ts";

export type SeededTicketType = { id: string; name: string };
export type SeededTicket = { id: string; code: string; holderName: string; holderEmail: string; ticketTypeId: string };

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
    const now = new Date().toISOString();
    const organizationId = randomUUID();
    const eventId = randomUUID();
    const ownerId = this.userId(ownerEmail);
    const start = new Date(Date.now() + 3_600_000).toISOString();
    const end = new Date(Date.now() + 4 * 3_600_000).toISOString();
    this.#db.transaction(() => {
      this.#db.prepare("insert into organizations (id, name, slug, created_at, updated_at) values (?, ?, ?, ?, ?)").run(organizationId, `${title} Org`, `org-${organizationId.slice(0, 8)}`, now, now);
      this.#db.prepare("insert into organization_members (organization_id, user_id, role, created_at) values (?, ?, 'owner', ?)").run(organizationId, ownerId, now);
      this.#db
        .prepare(
          "insert into events (id, organization_id, slug, title, time_zone, starts_at, ends_at, currency, status, created_by, created_at, updated_at) values (?, ?, ?, ?, 'Europe/Paris', ?, ?, 'eur', 'approved', ?, ?, ?)",
        )
        .run(eventId, organizationId, `event-${eventId.slice(0, 8)}`, title, start, end, ownerId, now, now);
      this.#db.prepare("insert into event_team (event_id, user_id, role, created_at) values (?, ?, 'owner', ?)").run(eventId, ownerId, now);
    })();
    return { organizationId, eventId };
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
    this.#db.prepare("insert into event_team (event_id, user_id, role, created_at) values (?, ?, ?, ?)").run(eventId, this.userId(email), role, new Date().toISOString());
  }

  session(eventId: string, title = "Opening keynote"): string {
    const id = randomUUID();
    const now = new Date().toISOString();
    this.#db
      .prepare("insert into event_sessions (id, event_id, title, starts_at, ends_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)")
      .run(id, eventId, title, new Date(Date.now() + 600_000).toISOString(), new Date(Date.now() + 4_200_000).toISOString(), now, now);
    return id;
  }

  ticketType(eventId: string, name: string, quantity = 100): SeededTicketType {
    const id = randomUUID();
    const now = new Date().toISOString();
    this.#db
      .prepare("insert into ticket_types (id, event_id, name, price, currency, quantity, created_at, updated_at) values (?, ?, ?, 0, 'eur', ?, ?, ?)")
      .run(id, eventId, name, quantity, now, now);
    return { id, name };
  }

  /** A paid-for (free) order with one valid ticket for the holder; `userEmail` links it to an account. */
  ticket(eventId: string, type: SeededTicketType, holderName: string, holderEmail: string, userEmail?: string): SeededTicket {
    const now = new Date().toISOString();
    const orderId = randomUUID();
    const itemId = randomUUID();
    const ticketId = randomUUID();
    const userId = userEmail ? this.userId(userEmail) : null;
    const code = this.#keys.sign({ ticketId, eventId, ticketTypeId: type.id, issuedAt: new Date() });
    this.#db.transaction(() => {
      this.#db
        .prepare("insert into orders (id, event_id, user_id, buyer_name, buyer_email, status, currency, subtotal, total, provider, created_at, updated_at, paid_at) values (?, ?, ?, ?, ?, 'paid', 'eur', 0, 0, 'free', ?, ?, ?)")
        .run(orderId, eventId, userId, holderName, holderEmail, now, now, now);
      this.#db.prepare("insert into order_items (id, order_id, ticket_type_id, unit_amount, holder_name, holder_email) values (?, ?, ?, 0, ?, ?)").run(itemId, orderId, type.id, holderName, holderEmail);
      this.#db
        .prepare("insert into tickets (id, order_id, order_item_id, event_id, ticket_type_id, user_id, holder_name, holder_email, code, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(ticketId, orderId, itemId, eventId, type.id, userId, holderName, holderEmail, code, now, now);
      this.#db.prepare("update ticket_types set sold = sold + 1 where id = ?").run(type.id);
    })();
    return { id: ticketId, code, holderName, holderEmail, ticketTypeId: type.id };
  }

  setTicketStatus(ticketId: string, status: "valid" | "refunded" | "revoked" | "cancelled", reason = "") {
    this.#db.prepare("update tickets set status = ?, status_reason = ? where id = ?").run(status, reason, ticketId);
  }
}
