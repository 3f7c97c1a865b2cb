/**
 * `plenary demo`: fills a fresh install with a living event so a newcomer sees the product
 * at once: a sample organization, a public approved event whose first session starts in a
 * few minutes, speakers, a free and a paid ticket type, attendees holding signed tickets, and
 * paid orders booked in the ledger as Stripe sales (sale, fee, commission) for the revenue pages.
 * It refuses a database that already holds organizations, events or orders, so it can never
 * mix sample rows into real data (and running it twice is refused the same way).
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import type { TicketKeys } from "../tickets/ticket-keys.ts";
import { type DemoOrder, insertDemoOrder } from "./sales.ts";

export class DemoRefusedError extends Error {
  override name = "DemoRefusedError";
}

export const DEMO_EVENT_SLUG = "plenary-live-demo";
export const DEMO_ORGANIZATION_SLUG = "plenary-demo";

export type DemoSummary = {
  organizationId: string;
  eventId: string;
  eventSlug: string;
  sessions: { title: string; startsAt: string }[];
  attendees: DemoOrder[];
  /** Paid orders, booked in the ledger as Stripe sales (sale, fee, commission). */
  supporters: DemoOrder[];
  /** Platform admins made owners of the sample organization, so they can run the event. */
  owners: string[];
};

const MINUTE = 60_000;

const SPEAKERS = [
  { name: "Amara Okafor", title: "Head of Community, Example Co.", bio: "Amara has run online meetups for a decade and still loves the first five minutes of a live room." },
  { name: "Jonas Lindqvist", title: "Real-time media engineer", bio: "Jonas builds SFUs and explains simulcast with cardboard boxes." },
  { name: "Priya Raman", title: "Accessibility lead", bio: "Priya makes sure every control can be reached by keyboard and every talk has captions." },
];

/** Minutes from now, length in minutes, and speakers by index. */
const SESSIONS = [
  { title: "Welcome and keynote: events that feel live", track: "Main stage", in: 5, length: 30, speakers: [0], description: "Why live matters, and a tour of what this demo event shows." },
  { title: "Inside the media server", track: "Main stage", in: 45, length: 45, speakers: [1], description: "How rooms, producers and consumers fit together, with a live demo." },
  { title: "Panel: accessible virtual events", track: "Main stage", in: 100, length: 60, speakers: [0, 2], description: "Captions, keyboard use, phone layouts and time zones: a panel with questions from the audience." },
];

const ATTENDEES = [
  { name: "Lea Martin", email: "lea.martin@demo.example.org" },
  { name: "Kenji Sato", email: "kenji.sato@demo.example.org" },
  { name: "Sofia Rossi", email: "sofia.rossi@demo.example.org" },
];

/** Bought the paid Supporter pass, one a day over the last days. */
const SUPPORTERS = [
  { name: "Mateo Silva", email: "mateo.silva@demo.example.org" },
  { name: "Hana Kim", email: "hana.kim@demo.example.org" },
  { name: "Olu Adeyemi", email: "olu.adeyemi@demo.example.org" },
];
const SUPPORTER_PRICE = 2_500;
/** The sample organization's commission override (5 %), so the demo's ledger shows a commission. */
const DEMO_COMMISSION_BP = 500;
const DAY = 86_400_000;

/** True when the database holds anything `plenary demo` could collide with. */
export async function hasRealData(db: Kysely<DB>): Promise<string | null> {
  for (const table of ["organizations", "events", "orders"] as const) {
    const row = await db.selectFrom(table).select("id").limit(1).executeTakeFirst();
    if (row) return table;
  }
  const taken = await db.selectFrom("users").select("email").where("email", "in", [...ATTENDEES, ...SUPPORTERS].map((a) => a.email)).executeTakeFirst();
  return taken ? "users" : null;
}

export async function seedDemo(db: Kysely<DB>, ticketKeys: TicketKeys, now = new Date()): Promise<DemoSummary> {
  const found = await hasRealData(db);
  if (found) {
    throw new DemoRefusedError(`the database already has ${found}; plenary demo only fills a fresh install, so nothing was changed`);
  }
  return db.transaction().execute((trx) => insertDemo(trx, ticketKeys, now));
}

async function insertDemo(trx: Transaction<DB>, ticketKeys: TicketKeys, now: Date): Promise<DemoSummary> {
  const at = now.toISOString();
  // Whole minutes, so the schedule reads cleanly.
  const start = Math.ceil(now.getTime() / MINUTE) * MINUTE;
  const time = (minutes: number) => new Date(start + minutes * MINUTE).toISOString();
  const stamps = { created_at: at, updated_at: at };

  const organizationId = randomUUID();
  await trx
    .insertInto("organizations")
    .values({
      id: organizationId, name: "Plenary Demo Events", slug: DEMO_ORGANIZATION_SLUG, contact_email: "hello@demo.example.org",
      default_currency: "eur", legal_address: "1 Example Street, 10115 Berlin, Germany", commission_bp: DEMO_COMMISSION_BP, ...stamps,
    })
    .execute();
  const admins = await trx.selectFrom("users").select(["id", "email"]).where("role", "=", "admin").execute();
  for (const admin of admins) {
    await trx.insertInto("organization_members").values({ organization_id: organizationId, user_id: admin.id, role: "owner", created_at: at }).execute();
  }

  const eventId = randomUUID();
  const last = SESSIONS[SESSIONS.length - 1];
  await trx
    .insertInto("events")
    .values({
      id: eventId, organization_id: organizationId, slug: DEMO_EVENT_SLUG,
      title: "Plenary Live: a demo conference",
      summary: "A sample event made by plenary demo: three live sessions, the first starting in a few minutes.",
      description: "This event was created by **plenary demo** so you can see Plenary at work.\n\nGet a free pass, then join the keynote when it goes live.",
      description_html:
        "<p>This event was created by <strong>plenary demo</strong> so you can see Plenary at work.</p>\n<p>Get a free pass, then join the keynote when it goes live.</p>",
      category: "Technology", tags: JSON.stringify(["demo", "webrtc", "community"]), language: "en", time_zone: "Europe/Berlin",
      starts_at: time(SESSIONS[0].in), ends_at: time(last.in + last.length), venue_type: "online", currency: "eur",
      visibility: "public", status: "approved", submitted_at: at, approved_at: at, ...stamps,
    })
    .execute();
  await trx.insertInto("event_reviews").values({ id: randomUUID(), event_id: eventId, actor_id: null, decision: "approved", comment: "Sample data from plenary demo", created_at: at }).execute();

  const speakerIds = SPEAKERS.map(() => randomUUID());
  await trx
    .insertInto("speakers")
    .values(SPEAKERS.map((s, i) => ({ id: speakerIds[i], event_id: eventId, name: s.name, title: s.title, bio: s.bio, position: i, ...stamps })))
    .execute();
  for (const s of SESSIONS) {
    const sessionId = randomUUID();
    await trx
      .insertInto("event_sessions")
      .values({ id: sessionId, event_id: eventId, title: s.title, description: s.description, track: s.track, starts_at: time(s.in), ends_at: time(s.in + s.length), ...stamps })
      .execute();
    await trx.insertInto("session_speakers").values(s.speakers.map((i) => ({ session_id: sessionId, speaker_id: speakerIds[i] }))).execute();
  }

  const freeTypeId = randomUUID();
  const paidTypeId = randomUUID();
  await trx
    .insertInto("ticket_types")
    .values([
      { id: freeTypeId, event_id: eventId, name: "Free pass", description: "Every session, live and on replay.", price: 0, currency: "eur", quantity: 500, sold: ATTENDEES.length, position: 0, ...stamps },
      { id: paidTypeId, event_id: eventId, name: "Supporter pass", description: "Every session, and you help keep the lights on.", price: SUPPORTER_PRICE, currency: "eur", quantity: 100, sold: SUPPORTERS.length, position: 1, ...stamps },
    ])
    .execute();

  const attendees: DemoSummary["attendees"] = [];
  for (const person of ATTENDEES) {
    attendees.push(await insertDemoOrder(trx, ticketKeys, { eventId, ticketTypeId: freeTypeId, price: 0, person, paidAt: now, commissionBp: DEMO_COMMISSION_BP }));
  }
  // Supporters bought on the last few days, so reports by day have more than one row.
  const supporters: DemoSummary["supporters"] = [];
  for (const [i, person] of SUPPORTERS.entries()) {
    const paidAt = new Date(now.getTime() - (SUPPORTERS.length - i) * DAY);
    supporters.push(await insertDemoOrder(trx, ticketKeys, { eventId, ticketTypeId: paidTypeId, price: SUPPORTER_PRICE, person, paidAt, commissionBp: DEMO_COMMISSION_BP }));
  }

  return {
    organizationId,
    eventId,
    eventSlug: DEMO_EVENT_SLUG,
    sessions: SESSIONS.map((s) => ({ title: s.title, startsAt: time(s.in) })),
    attendees,
    supporters,
    owners: admins.map((a) => a.email),
  };
}
