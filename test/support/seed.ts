/**
 * Rows for tests, written straight into a database (a running test server's file or a unit
 * test's own) so a test can start after the part it does not test: the one place that knows
 * which columns an organization, event, ticket type, session, speaker, team member or paid order
 * with its tickets needs, and the defaults the fixtures share. A column added to one of these
 * tables is written here and nowhere else.
 *
 * Each builder returns its rows as kysely compiled them (`Rows`) and writes nothing: `write`
 * runs them through kysely in one transaction, `writeNow` through better-sqlite3 at once, for
 * EventFixture, whose many callers seed synchronously. Users are the exception: their rows come
 * from the server's own createUser and createSession, which hash passwords and tokens.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type SQLite from "better-sqlite3";
import { type CompiledQuery, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Transaction } from "kysely";
import { createSession, SESSION_COOKIE } from "../../server/accounts/sessions.ts";
import { createUser } from "../../server/accounts/users.ts";
import type { DB, EventStatus, EventTeamRoleColumn, EventVisibility, PlatformRole, TicketStatus } from "../../server/db/schema.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
import { hashAccessCode } from "../../server/events/fields.ts";
import { newShortCode } from "../../server/tickets/short-code.ts";
import type { TicketKeys } from "../../server/tickets/ticket-keys.ts";
import { PASSWORD } from "./accounts.ts";

/** Rows to write together, in order, and what the caller gets back once they are written. */
export type Rows<T> = { readonly queries: readonly CompiledQuery[]; readonly result: T };

// Builds and compiles queries without a database, so the same rows can be written either way.
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

const HOUR = 3_600_000;
const now = () => new Date().toISOString();
const later = (ms: number, from = Date.now()) => new Date(from + ms).toISOString();

/** The test server's database, opened as the server opens it (`dataDir` is `TestServer.dataDir`). */
export function openServerDb(dataDir: string): Kysely<DB> {
  return openSqlite({ file: path.join(dataDir, "plenary.sqlite"), busyTimeoutMs: 5_000 });
}

/** Writes `rows` in one transaction (the caller's, when `db` is one). */
export async function write<T>(db: Kysely<DB> | Transaction<DB>, rows: Rows<T>): Promise<T> {
  const run = async (trx: Kysely<DB>) => {
    for (const query of rows.queries) await trx.executeQuery(query);
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
  return rows.result;
}

/** Writes `rows` in one transaction through a better-sqlite3 handle, before returning. */
export function writeNow<T>(sqlite: SQLite.Database, rows: Rows<T>): T {
  sqlite.transaction(() => {
    for (const query of rows.queries) sqlite.prepare(query.sql).run(...query.parameters);
  })();
  return rows.result;
}

/** A verified account that can log in with accounts.ts's PASSWORD; returns its id. */
export async function user(db: Kysely<DB>, input: { email: string; name?: string; role?: PlatformRole }): Promise<string> {
  const created = await createUser(db, { email: input.email, displayName: input.name ?? input.email.split("@")[0], password: PASSWORD }, input.role ?? "user", { emailVerified: true });
  return created.id;
}

/** A logged-in browser session for the user: its token and the Cookie header that carries it. */
export async function signedIn(db: Kysely<DB>, userId: string): Promise<{ token: string; cookie: string }> {
  const session = await createSession(db, userId, { userAgent: "test", ip: "127.0.0.1" }, 1);
  return { token: session.token, cookie: `${SESSION_COOKIE}=${session.token}` };
}

export type OrganizationSeed = {
  id?: string;
  name?: string;
  /** Default: `org-` and the id's first eight characters. */
  slug?: string;
  /** Made the organization's owner. */
  ownerId?: string;
  contactEmail?: string;
  commissionBp?: number | null;
  legalAddress?: string;
  vatId?: string;
};

export function organization(input: OrganizationSeed = {}): Rows<{ id: string; slug: string }> {
  const id = input.id ?? randomUUID();
  const slug = input.slug ?? `org-${id.slice(0, 8)}`;
  const at = now();
  const queries: CompiledQuery[] = [
    compiler
      .insertInto("organizations")
      .values({
        id, name: input.name ?? "Acme Events", slug, contact_email: input.contactEmail, commission_bp: input.commissionBp,
        legal_address: input.legalAddress, vat_id: input.vatId, created_at: at, updated_at: at,
      })
      .compile(),
  ];
  if (input.ownerId) queries.push(compiler.insertInto("organization_members").values({ organization_id: id, user_id: input.ownerId, role: "owner", created_at: at }).compile());
  return { queries, result: { id, slug } };
}

export type EventSeed = {
  id?: string;
  organizationId: string;
  /** Default: `event-` and the id's first eight characters. */
  slug?: string;
  title?: string;
  summary?: string;
  /** Markdown; its HTML is the text in one paragraph. */
  description?: string;
  tags?: string[];
  category?: string;
  language?: string;
  /** Default: UTC. */
  timeZone?: string;
  /** Default: in an hour. */
  startsAt?: string;
  /** Default: three hours after it starts. */
  endsAt?: string;
  currency?: string;
  visibility?: EventVisibility;
  /** Default: approved, so it is listed and sells. */
  status?: EventStatus;
  accessCode?: string;
  /** Creator and owner on the event's team. */
  ownerId?: string;
  cancelDeadlineHours?: number | null;
  cancelFeeBp?: number;
  vatRateBp?: number;
  vatInclusive?: boolean;
  /** Minutes before each session its attendees are reminded; default the column's (24 h and 1 h). */
  reminderOffsets?: number[];
};

export function event(input: EventSeed): Rows<{ id: string; slug: string }> {
  const id = input.id ?? randomUUID();
  const slug = input.slug ?? `event-${id.slice(0, 8)}`;
  const at = now();
  const startsAt = input.startsAt ?? later(HOUR);
  const queries: CompiledQuery[] = [
    compiler
      .insertInto("events")
      .values({
        id, organization_id: input.organizationId, slug, title: input.title ?? "Fixture Conference",
        summary: input.summary, description: input.description, description_html: input.description ? `<p>${input.description}</p>` : undefined,
        tags: input.tags && JSON.stringify(input.tags), category: input.category, language: input.language,
        time_zone: input.timeZone ?? "UTC", starts_at: startsAt, ends_at: input.endsAt ?? later(3 * HOUR, Date.parse(startsAt)),
        currency: input.currency ?? "eur", visibility: input.visibility, status: input.status ?? "approved",
        access_code_hash: input.accessCode ? hashAccessCode(input.accessCode) : undefined,
        cancel_deadline_hours: input.cancelDeadlineHours, cancel_fee_bp: input.cancelFeeBp, vat_rate_bp: input.vatRateBp,
        vat_inclusive: input.vatInclusive === undefined ? undefined : Number(input.vatInclusive), reminder_offsets: input.reminderOffsets && JSON.stringify(input.reminderOffsets),
        created_by: input.ownerId ?? null, created_at: at, updated_at: at,
      })
      .compile(),
  ];
  if (input.ownerId) queries.push(...teamMember({ eventId: id, userId: input.ownerId, role: "owner" }).queries);
  return { queries, result: { id, slug } };
}

/** `addedBy`: who brought them on (as an accepted invitation records it); default nobody, as for an event's creator. */
export function teamMember(input: { eventId: string; userId: string; role: EventTeamRoleColumn; addedBy?: string }): Rows<void> {
  const values = { event_id: input.eventId, user_id: input.userId, role: input.role, added_by: input.addedBy ?? null, created_at: now() };
  return { queries: [compiler.insertInto("event_team").values(values).compile()], result: undefined };
}

export type TicketTypeSeed = {
  id?: string;
  eventId: string;
  name?: string;
  /** Minor units. Default 0 (free). */
  price?: number;
  currency?: string;
  /** Default 100. */
  quantity?: number;
  sold?: number;
  hidden?: boolean;
  accessCode?: string;
  saleStartsAt?: string;
  position?: number;
  /** The sessions it grants; default all. */
  sessionIds?: string[];
};

export function ticketType(input: TicketTypeSeed): Rows<{ id: string; name: string }> {
  const id = input.id ?? randomUUID();
  const name = input.name ?? "General admission";
  const at = now();
  const queries: CompiledQuery[] = [
    compiler
      .insertInto("ticket_types")
      .values({
        id, event_id: input.eventId, name, price: input.price ?? 0, currency: input.currency ?? "eur", quantity: input.quantity ?? 100,
        sold: input.sold, hidden: input.hidden === undefined ? undefined : Number(input.hidden), access_code_hash: input.accessCode ? hashAccessCode(input.accessCode) : undefined,
        sale_starts_at: input.saleStartsAt, position: input.position, created_at: at, updated_at: at,
      })
      .compile(),
    ...(input.sessionIds ?? []).map((sessionId) => compiler.insertInto("ticket_type_sessions").values({ ticket_type_id: id, session_id: sessionId }).compile()),
  ];
  return { queries, result: { id, name } };
}

export type SessionSeed = {
  id?: string;
  eventId: string;
  title?: string;
  /** Default: now. */
  startsAt?: string;
  /** Default: an hour after it starts. */
  endsAt?: string;
  lobbyMode?: "ticket_holders" | "knock";
  maxPeers?: number;
  maxPublishers?: number;
};

export function session(input: SessionSeed): Rows<string> {
  const id = input.id ?? randomUUID();
  const at = now();
  const startsAt = input.startsAt ?? at;
  const query = compiler
    .insertInto("event_sessions")
    .values({
      id, event_id: input.eventId, title: input.title ?? "Opening keynote", starts_at: startsAt, ends_at: input.endsAt ?? later(HOUR, Date.parse(startsAt)),
      lobby_mode: input.lobbyMode, max_peers: input.maxPeers, max_publishers: input.maxPublishers, created_at: at, updated_at: at,
    })
    .compile();
  return { queries: [query], result: id };
}

/** A speaker of the event (linked to an account when `userId` is given) on the given sessions. */
export function speaker(input: {
  id?: string; eventId: string; name: string; userId?: string; bio?: string; links?: { label: string; url: string }[]; sessionIds?: string[];
}): Rows<string> {
  const id = input.id ?? randomUUID();
  const at = now();
  const values = { id, event_id: input.eventId, user_id: input.userId ?? null, name: input.name, bio: input.bio, links: input.links && JSON.stringify(input.links), created_at: at, updated_at: at };
  const queries: CompiledQuery[] = [
    compiler.insertInto("speakers").values(values).compile(),
    ...(input.sessionIds ?? []).flatMap((sessionId) => sessionSpeaker({ sessionId, speakerId: id }).queries),
  ];
  return { queries, result: id };
}

/** Puts a speaker already written on one more session. */
export function sessionSpeaker(input: { sessionId: string; speakerId: string }): Rows<void> {
  return { queries: [compiler.insertInto("session_speakers").values({ session_id: input.sessionId, speaker_id: input.speakerId }).compile()], result: undefined };
}

export type SeatSeed = {
  ticketTypeId: string;
  /** What the seat cost before its discount, in minor units. Default 0. */
  unitAmount?: number;
  discount?: number;
  holderName: string;
  holderEmail: string;
  /** The ticket's status; only valid tickets count as sold. */
  status?: TicketStatus;
};

export type OrderSeed = {
  id?: string;
  eventId: string;
  /** The buyer's account, also the tickets' owner; null: a guest order. */
  userId?: string | null;
  buyerName: string;
  buyerEmail: string;
  seats: SeatSeed[];
  currency?: string;
  tax?: number;
  commission?: number;
  vatRateBp?: number;
  /** Default: "stripe" when there is something to pay, else "free". */
  provider?: "free" | "stripe" | "paypal";
  paymentId?: string | null;
  /** Signs the ticket codes, so they verify where these keys are the server's; default: unsigned `code-<ticket id>`. */
  keys?: TicketKeys;
};

/** What an order of these seats comes to: the seats' prices, their discounts, and the net sum plus tax. */
export function orderAmounts(seats: readonly Pick<SeatSeed, "unitAmount" | "discount">[], tax = 0): { subtotal: number; discount: number; total: number } {
  const subtotal = seats.reduce((sum, seat) => sum + (seat.unitAmount ?? 0), 0);
  const discount = seats.reduce((sum, seat) => sum + (seat.discount ?? 0), 0);
  return { subtotal, discount, total: subtotal - discount + tax };
}

/** A paid order with one ticket per seat, counted as sold on its ticket type (orderAmounts gives its total). */
export function order(input: OrderSeed): Rows<{ id: string; total: number; tickets: { id: string; code: string; shortCode: string; ticketTypeId: string }[] }> {
  const id = input.id ?? randomUUID();
  const at = now();
  const { subtotal, discount, total } = orderAmounts(input.seats, input.tax);
  const userId = input.userId ?? null;
  const queries: CompiledQuery[] = [
    compiler
      .insertInto("orders")
      .values({
        id, event_id: input.eventId, user_id: userId, buyer_name: input.buyerName, buyer_email: input.buyerEmail, status: "paid", currency: input.currency ?? "eur",
        subtotal, discount, tax: input.tax ?? 0, total, commission: input.commission, vat_rate_bp: input.vatRateBp,
        provider: input.provider ?? (total > 0 ? "stripe" : "free"), payment_id: input.paymentId, created_at: at, updated_at: at, paid_at: at,
      })
      .compile(),
  ];
  const tickets = input.seats.map((seat) => {
    const itemId = randomUUID();
    const ticketId = randomUUID();
    const shortCode = newShortCode();
    const code = input.keys ? input.keys.sign({ ticketId, eventId: input.eventId, ticketTypeId: seat.ticketTypeId, issuedAt: new Date() }) : `code-${ticketId}`;
    const holder = { holder_name: seat.holderName, holder_email: seat.holderEmail };
    queries.push(
      compiler.insertInto("order_items").values({ id: itemId, order_id: id, ticket_type_id: seat.ticketTypeId, unit_amount: seat.unitAmount ?? 0, discount: seat.discount, ...holder }).compile(),
      compiler
        .insertInto("tickets")
        .values({ id: ticketId, order_id: id, order_item_id: itemId, event_id: input.eventId, ticket_type_id: seat.ticketTypeId, user_id: userId, ...holder, status: seat.status, code, short_code: shortCode, created_at: at, updated_at: at })
        .compile(),
    );
    if ((seat.status ?? "valid") === "valid") queries.push(compiler.updateTable("ticket_types").set((eb) => ({ sold: eb("sold", "+", 1) })).where("id", "=", seat.ticketTypeId).compile());
    return { id: ticketId, code, shortCode, ticketTypeId: seat.ticketTypeId };
  });
  return { queries, result: { id, total, tickets } };
}
