/**
 * What an organizer may set on an event, validated once at the boundary, and how an event
 * row is shown to its team. Times arrive as ISO 8601 with an offset and are stored in UTC.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { EventsTable } from "../db/schema.ts";
import type { Selectable } from "kysely";

export const idParams = z.object({ id: z.uuid("Not a valid id") });

/** A zone the runtime knows (IANA names and their aliases, "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const instant = z.iso.datetime({ offset: true, message: "Use a date and time with its offset" }).transform((v) => new Date(v).toISOString());
export const timeZone = z.string().trim().min(1, "Choose a time zone").refine(isTimeZone, "Not a time zone we know");
export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "Use at least 2 characters")
  .max(80, "Use at most 80 characters")
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Use lowercase letters, digits and single dashes");
const tags = z
  .array(z.string().trim().toLowerCase().min(1).max(30, "A tag has at most 30 characters"))
  .max(10, "Use at most 10 tags")
  .transform((list) => [...new Set(list)]);
const basisPoints = z.number().int().min(0).max(10_000);

const EVENT_FIELDS = {
  title: z.string().trim().min(3, "Use at least 3 characters").max(140, "Use at most 140 characters"),
  slug,
  summary: z.string().trim().max(300, "Use at most 300 characters"),
  description: z.string().max(50_000, "Use at most 50,000 characters"),
  category: z.string().trim().max(60),
  tags,
  language: z.string().trim().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "Use a language code such as en or pt-BR"),
  timeZone,
  startsAt: instant,
  endsAt: instant,
  venueType: z.enum(["online", "hybrid", "in_person"]),
  venueAddress: z.string().trim().max(500),
  capacity: z.number().int().min(1).max(1_000_000).nullable(),
  currency: z.string().trim().toLowerCase().regex(/^[a-z]{3}$/, "Use a three-letter currency code"),
  privateMessages: z.boolean(),
  vatRateBp: basisPoints,
  vatInclusive: z.boolean(),
  cancelDeadlineHours: z.number().int().min(0).max(24 * 365).nullable(),
  cancelFeeBp: basisPoints,
  reminderOffsets: z.array(z.number().int().min(1).max(60 * 24 * 30)).max(5),
  holdMinutes: z.number().int().min(5).max(120),
};

export const eventPatch = z.strictObject(EVENT_FIELDS).partial();
export type EventPatch = z.infer<typeof eventPatch>;
export const eventCreate = eventPatch.extend({
  organizationId: z.uuid("Choose an organization"),
  title: EVENT_FIELDS.title,
  timeZone: EVENT_FIELDS.timeZone,
  startsAt: EVENT_FIELDS.startsAt,
  endsAt: EVENT_FIELDS.endsAt,
});

/** Checks across fields, for a whole event after a change is applied. */
export function eventProblems(e: { starts_at: string; ends_at: string; venue_type: string; venue_address: string }) {
  const problems: { path: string; message: string }[] = [];
  if (e.ends_at <= e.starts_at) problems.push({ path: "endsAt", message: "The end must come after the start" });
  if (e.venue_type !== "online" && e.venue_address.trim() === "") problems.push({ path: "venueAddress", message: "Give the address of the venue" });
  return problems;
}

/** The column values for the fields a patch sets. */
export function eventColumns(p: EventPatch): Partial<Record<keyof EventsTable, unknown>> {
  const c: Partial<Record<keyof EventsTable, unknown>> = {};
  const set = <K extends keyof EventPatch>(key: K, column: keyof EventsTable, map: (v: NonNullable<EventPatch[K]> | null) => unknown = (v) => v) => {
    if (p[key] !== undefined) c[column] = map(p[key] as NonNullable<EventPatch[K]> | null);
  };
  set("title", "title");
  set("slug", "slug");
  set("summary", "summary");
  set("description", "description");
  set("category", "category");
  set("tags", "tags", (v) => JSON.stringify(v));
  set("language", "language");
  set("timeZone", "time_zone");
  set("startsAt", "starts_at");
  set("endsAt", "ends_at");
  set("venueType", "venue_type");
  set("venueAddress", "venue_address");
  set("capacity", "capacity");
  set("currency", "currency");
  set("privateMessages", "private_messages", (v) => (v ? 1 : 0));
  set("vatRateBp", "vat_rate_bp");
  set("vatInclusive", "vat_inclusive", (v) => (v ? 1 : 0));
  set("cancelDeadlineHours", "cancel_deadline_hours");
  set("cancelFeeBp", "cancel_fee_bp");
  set("reminderOffsets", "reminder_offsets", (v) => JSON.stringify(v));
  set("holdMinutes", "hold_minutes");
  return c;
}

/** Fields whose change sends an approved event back to review (docs/design.md). */
export const KEY_FIELDS = ["title", "starts_at", "ends_at", "visibility"] as const;

/** A URL-safe slug from a title, e.g. "Rust Conf 2027!" → "rust-conf-2027". */
export function slugFrom(title: string): string {
  const base = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return base.length >= 2 ? base : `event-${base}`.replace(/-$/, "");
}

/** Access codes are compared by their SHA-256, trimmed and case-insensitive. */
export function hashAccessCode(code: string): string {
  return createHash("sha256").update(code.trim().toUpperCase()).digest("hex");
}

/** The cover's URL, versioned by the stored file's name (which changes with each upload), or null. */
export function coverUrl(e: { id: string; cover_path: string | null }): string | null {
  return e.cover_path ? `/api/images/events/${e.id}/cover?v=${encodeURIComponent(e.cover_path.slice(-17, -5))}` : null;
}

export function eventView(e: Selectable<EventsTable>) {
  return {
    id: e.id,
    organizationId: e.organization_id,
    slug: e.slug,
    title: e.title,
    summary: e.summary,
    description: e.description,
    descriptionHtml: e.description_html,
    coverUrl: coverUrl(e),
    category: e.category,
    tags: JSON.parse(e.tags) as string[],
    language: e.language,
    timeZone: e.time_zone,
    startsAt: e.starts_at,
    endsAt: e.ends_at,
    venueType: e.venue_type,
    venueAddress: e.venue_address,
    capacity: e.capacity,
    currency: e.currency,
    visibility: e.visibility,
    status: e.status,
    reviewComment: e.review_comment,
    submittedAt: e.submitted_at,
    approvedAt: e.approved_at,
    cancelledAt: e.cancelled_at,
    cancelReason: e.cancel_reason,
    hasAccessCode: e.access_code_hash !== null,
    privateMessages: e.private_messages === 1,
    vatRateBp: e.vat_rate_bp,
    vatInclusive: e.vat_inclusive === 1,
    cancelDeadlineHours: e.cancel_deadline_hours,
    cancelFeeBp: e.cancel_fee_bp,
    reminderOffsets: JSON.parse(e.reminder_offsets) as number[],
    holdMinutes: e.hold_minutes,
    createdAt: e.created_at,
    updatedAt: e.updated_at,
  };
}
