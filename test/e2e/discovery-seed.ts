/**
 * Events for discovery tests, written straight into a running test server's SQLite file
 * (the organizer API is another module's; these tests only need rows to read).
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Kysely } from "kysely";
import type { DB, EventStatus, EventVisibility } from "../../server/db/schema.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
import { hashAccessCode } from "../../server/events/fields.ts";

export function openServerDb(dataDir: string): Kysely<DB> {
  return openSqlite({ file: path.join(dataDir, "plenary.sqlite") });
}

export type SeedTicketType = {
  name: string;
  price: number;
  quantity?: number;
  sold?: number;
  hidden?: boolean;
  accessCode?: string;
  saleStartsAt?: string;
};

export type SeedEvent = {
  slug: string;
  title: string;
  summary?: string;
  description?: string;
  tags?: string[];
  category?: string;
  language?: string;
  visibility?: EventVisibility;
  status?: EventStatus;
  startsAt: string;
  endsAt?: string;
  timeZone?: string;
  accessCode?: string;
  ticketTypes?: SeedTicketType[];
  sessions?: { title: string; startsAt: string; endsAt: string; speakers?: string[] }[];
};

export async function seedOrganization(db: Kysely<DB>, name = "Acme Events", slug = "acme"): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await db.insertInto("organizations").values({ id, name, slug, contact_email: "hello@acme.example", created_at: now, updated_at: now }).execute();
  return id;
}

export async function seedEvent(db: Kysely<DB>, organizationId: string, input: SeedEvent): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  const stamps = { created_at: now, updated_at: now };
  await db
    .insertInto("events")
    .values({
      id, organization_id: organizationId, slug: input.slug, title: input.title, summary: input.summary ?? "",
      description: input.description ?? "", description_html: input.description ? `<p>${input.description}</p>` : "",
      tags: JSON.stringify(input.tags ?? []), category: input.category ?? "", language: input.language ?? "en",
      time_zone: input.timeZone ?? "Europe/Berlin", starts_at: input.startsAt,
      ends_at: input.endsAt ?? new Date(Date.parse(input.startsAt) + 2 * 3_600_000).toISOString(),
      currency: "eur", visibility: input.visibility ?? "public", status: input.status ?? "approved",
      access_code_hash: input.accessCode ? hashAccessCode(input.accessCode) : null, ...stamps,
    })
    .execute();
  for (const [i, t] of (input.ticketTypes ?? []).entries()) {
    await db
      .insertInto("ticket_types")
      .values({
        id: randomUUID(), event_id: id, name: t.name, price: t.price, currency: "eur", quantity: t.quantity ?? 100, sold: t.sold ?? 0,
        hidden: t.hidden ? 1 : 0, access_code_hash: t.accessCode ? hashAccessCode(t.accessCode) : null,
        sale_starts_at: t.saleStartsAt ?? null, position: i, ...stamps,
      })
      .execute();
  }
  const speakerIds = new Map<string, string>();
  for (const s of input.sessions ?? []) {
    const sessionId = randomUUID();
    await db.insertInto("event_sessions").values({ id: sessionId, event_id: id, title: s.title, starts_at: s.startsAt, ends_at: s.endsAt, ...stamps }).execute();
    for (const name of s.speakers ?? []) {
      if (!speakerIds.has(name)) {
        speakerIds.set(name, randomUUID());
        await db.insertInto("speakers").values({ id: speakerIds.get(name)!, event_id: id, name, bio: `${name} speaks.`, ...stamps }).execute();
      }
      await db.insertInto("session_speakers").values({ session_id: sessionId, speaker_id: speakerIds.get(name)! }).execute();
    }
  }
  return id;
}

/** An ISO instant `days` from now (negative: in the past). */
export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
