/**
 * The public event list: approved public events only, full-text search (server/db/search.ts)
 * (title, summary, description, tags), filters for dates, category, language and free or
 * paid, and page-number pagination. Unlisted and invite-only events never appear here.
 */
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { DB, VenueType } from "../db/schema.ts";
import { eventSearch, searchWords } from "../db/search.ts";

export const MAX_PAGE_SIZE = 50;

const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], "Use a date (YYYY-MM-DD) or an ISO date-time");

export const listingQuerySchema = z.object({
  q: z.string().trim().max(200, "Use at most 200 characters").optional(),
  /** Events still running at or after this instant; a date means its start, UTC. Default: now. */
  from: dateOrTime.optional(),
  /** Events starting before the end of this date (or this instant). */
  to: dateOrTime.optional(),
  category: z.string().trim().max(60).optional(),
  language: z.string().trim().max(20).optional(),
  price: z.enum(["free", "paid"]).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(12),
});
export type ListingQuery = z.infer<typeof listingQuerySchema>;

/** What every public view of an event shows: the list's cards and the event page. */
export type EventBasics = {
  id: string;
  slug: string;
  title: string;
  summary: string;
  category: string;
  tags: string[];
  language: string;
  timeZone: string;
  startsAt: string;
  endsAt: string;
  venueType: VenueType;
};

export type EventCard = EventBasics & {
  organization: { name: string; slug: string };
  /** The cheapest and dearest ticket types on offer to everyone (in minor units); null when the event has none. */
  priceRange: { min: number; max: number; currency: string } | null;
};

export type Listing = {
  events: EventCard[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  /** What the filters can choose from, over every listed upcoming event. */
  facets: { categories: string[]; languages: string[] };
};

function startOf(value: string): string {
  return value.length === 10 ? `${value}T00:00:00.000Z` : new Date(value).toISOString();
}

function endOf(value: string): string {
  return value.length === 10 ? new Date(Date.parse(`${value}T00:00:00.000Z`) + 86_400_000).toISOString() : new Date(value).toISOString();
}

// An offer everyone sees: not hidden. Prices are compared within the event's ticket types.
const visiblePrices = sql`select price from ticket_types where ticket_types.event_id = events.id and ticket_types.hidden = 0`;

function listed(db: Kysely<DB>, from: string) {
  return db
    .selectFrom("events")
    .innerJoin("organizations", "organizations.id", "events.organization_id")
    .where("events.visibility", "=", "public")
    .where("events.status", "=", "approved")
    .where("events.ends_at", ">=", from);
}

export async function listEvents(db: Kysely<DB>, query: ListingQuery, now = new Date()): Promise<Listing> {
  const from = query.from ? startOf(query.from) : now.toISOString();
  const words = query.q ? searchWords(query.q) : [];
  const search = words.length > 0 ? eventSearch(db, words) : null;
  let base = listed(db, from);
  if (query.to) base = base.where("events.starts_at", "<", endOf(query.to));
  if (query.category) base = base.where(sql<boolean>`lower(events.category) = lower(${query.category})`);
  if (query.language) base = base.where(sql<boolean>`lower(events.language) = lower(${query.language})`);
  if (query.price === "free") base = base.where(sql<boolean>`exists (${visiblePrices} and price = 0)`);
  if (query.price === "paid") {
    base = base.where(sql<boolean>`exists (${visiblePrices} and price > 0) and not exists (${visiblePrices} and price = 0)`);
  }
  if (query.q && !search) base = base.where(sql<boolean>`1 = 0`);
  if (search) base = base.where(search.matches);

  const { total } = await base.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
  const pageSize = query.pageSize;
  const rows = await base
    .select([
      "events.id", "events.slug", "events.title", "events.summary", "events.category", "events.tags", "events.language",
      "events.time_zone", "events.starts_at", "events.ends_at", "events.venue_type", "events.currency",
      "organizations.name as organization_name", "organizations.slug as organization_slug",
    ])
    .select(sql<number | null>`(select min(price) from (${visiblePrices}))`.as("lowest_price"))
    .select(sql<number | null>`(select max(price) from (${visiblePrices}))`.as("highest_price"))
    // Best match first when searching, else soonest first.
    .$if(search !== null, (qb) => qb.orderBy(search!.rank))
    .orderBy("events.starts_at")
    .orderBy("events.id")
    .limit(pageSize)
    .offset((query.page - 1) * pageSize)
    .execute();

  return {
    events: rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      title: r.title,
      summary: r.summary,
      category: r.category,
      tags: parseTags(r.tags),
      language: r.language,
      timeZone: r.time_zone,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      venueType: r.venue_type,
      organization: { name: r.organization_name, slug: r.organization_slug },
      priceRange: r.lowest_price === null ? null : { min: r.lowest_price, max: r.highest_price ?? r.lowest_price, currency: r.currency },
    })),
    total: Number(total),
    page: query.page,
    pageSize,
    pages: Math.max(1, Math.ceil(Number(total) / pageSize)),
    facets: await facets(db, now.toISOString()),
  };
}

async function facets(db: Kysely<DB>, from: string): Promise<Listing["facets"]> {
  const rows = await listed(db, from).select(["events.category", "events.language"]).execute();
  const distinct = (values: string[]) => [...new Set(values.filter((v) => v !== ""))].sort((a, b) => a.localeCompare(b));
  return { categories: distinct(rows.map((r) => r.category)), languages: distinct(rows.map((r) => r.language)) };
}

export function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}
