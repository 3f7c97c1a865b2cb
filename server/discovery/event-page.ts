/**
 * The public read model of one event, found by its slug: schedule, speakers, ticket types
 * on offer and the organizer. Who may see it:
 * - public and unlisted events once approved (or cancelled, so ticket holders learn it), by anyone;
 * - invite-only ones only by invitees (by their verified e-mail), ticket holders, or with the access code;
 * - anything, drafts included, by the event's team, its organization's admins and platform admins (a preview).
 * Everyone else gets the same 404 as for a slug that does not exist.
 */
import type { Kysely } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { eventStanding } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { eventResource } from "../events/access.ts";
import { coverUrl, hashAccessCode } from "../events/fields.ts";
import { accessCodeGuard } from "./access-codes.ts";
import { type EventBasics, parseTags } from "./listing.ts";

export type SaleState = "on_sale" | "not_started" | "ended" | "sold_out" | "unavailable";

export type PublicTicketType = {
  id: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  saleStartsAt: string | null;
  saleEndsAt: string | null;
  minPerOrder: number;
  maxPerOrder: number;
  remaining: number;
  state: SaleState;
  /** Sessions it grants; empty: every session. */
  sessionIds: string[];
};

export type PublicEvent = EventBasics & {
  /** Sanitized on save by the events module. */
  descriptionHtml: string;
  venueAddress: string;
  visibility: "public" | "unlisted" | "invite_only";
  status: string;
  cancelReason: string;
  /** True when the viewer sees it only because they run it (a draft, say). */
  preview: boolean;
  /** Whether the access code sent along opened the event or a hidden ticket type. */
  accessCode: "none" | "accepted" | "rejected";
  organization: { name: string; slug: string; contactEmail: string | null };
  sessions: { id: string; title: string; description: string; startsAt: string; endsAt: string; track: string; speakerIds: string[]; liveRoom: boolean }[];
  speakers: { id: string; name: string; title: string; bio: string; links: { label: string; url: string }[] }[];
  ticketTypes: PublicTicketType[];
  /**
   * What the signed-in viewer may do here: the lobby chat is for ticket holders, speakers and
   * the team; ticket holders rate the event once it has started (server/feedback).
   */
  viewer: { lobbyChat: boolean; rate: boolean };
  /** The cover image (a versioned path on this server), or null. */
  coverUrl: string | null;
};

const PUBLISHED = new Set(["approved", "cancelled"]);

/** Loads the event the viewer may see, or throws 404. `accessCode` opens invite-only events and hidden ticket types. */
export async function readPublicEvent(db: Kysely<DB>, actor: Actor, slug: string, accessCode?: string, now = new Date()): Promise<PublicEvent> {
  const event = await db
    .selectFrom("events")
    .innerJoin("organizations", "organizations.id", "events.organization_id")
    .selectAll("events")
    .select(["organizations.name as organization_name", "organizations.slug as organization_slug", "organizations.contact_email"])
    .where("events.slug", "=", slug)
    .executeTakeFirst();
  if (!event) throw AppError.notFound("No such event");
  const codeHash = accessCode?.trim() ? hashAccessCode(accessCode) : null;
  const eventCode = codeHash !== null && event.access_code_hash !== null && codeHash === event.access_code_hash;
  if (!(await mayViewEvent(db, actor, event, eventCode))) throw AppError.notFound("No such event");
  const isPreview = !PUBLISHED.has(event.status);

  const [sessions, links, speakers, types, grants] = await Promise.all([
    db.selectFrom("event_sessions").selectAll().where("event_id", "=", event.id).orderBy("starts_at").orderBy("title").execute(),
    db
      .selectFrom("session_speakers")
      .innerJoin("event_sessions", "event_sessions.id", "session_speakers.session_id")
      .select(["session_speakers.session_id", "session_speakers.speaker_id"])
      .where("event_sessions.event_id", "=", event.id)
      .execute(),
    db.selectFrom("speakers").selectAll().where("event_id", "=", event.id).orderBy("position").orderBy("name").execute(),
    db.selectFrom("ticket_types").selectAll().where("event_id", "=", event.id).orderBy("position").orderBy("price").execute(),
    db
      .selectFrom("ticket_type_sessions")
      .innerJoin("ticket_types", "ticket_types.id", "ticket_type_sessions.ticket_type_id")
      .select(["ticket_type_sessions.ticket_type_id", "ticket_type_sessions.session_id"])
      .where("ticket_types.event_id", "=", event.id)
      .execute(),
  ]);

  const viewerId = actorUserId(actor);
  const standing = viewerId ? await eventStanding(db, actor, viewerId, event.id) : null;
  const lobbyChat = standing !== null && (standing.hasTicket || standing.isSpeaker || standing.isTeam);
  const typeCode = (t: { access_code_hash: string | null }) => codeHash !== null && t.access_code_hash === codeHash;
  const offered = types.filter((t) => !t.hidden || eventCode || typeCode(t));
  return {
    viewer: { lobbyChat, rate: standing !== null && standing.hasTicket && event.status === "approved" && event.starts_at <= now.toISOString() },
    coverUrl: coverUrl(event),
    id: event.id,
    slug: event.slug,
    title: event.title,
    summary: event.summary,
    descriptionHtml: event.description_html,
    category: event.category,
    tags: parseTags(event.tags),
    language: event.language,
    timeZone: event.time_zone,
    startsAt: event.starts_at,
    endsAt: event.ends_at,
    venueType: event.venue_type,
    venueAddress: event.venue_address,
    visibility: event.visibility,
    status: event.status,
    cancelReason: event.cancel_reason,
    preview: isPreview,
    accessCode: codeHash === null ? "none" : eventCode || types.some(typeCode) ? "accepted" : "rejected",
    organization: { name: event.organization_name, slug: event.organization_slug, contactEmail: event.contact_email },
    sessions: sessions.map((s) => ({
      id: s.id,
      title: s.title,
      description: s.description,
      startsAt: s.starts_at,
      endsAt: s.ends_at,
      track: s.track,
      speakerIds: links.filter((l) => l.session_id === s.id).map((l) => l.speaker_id),
      liveRoom: s.live_room === 1,
    })),
    speakers: speakers.map((s) => ({ id: s.id, name: s.name, title: s.title, bio: s.bio, links: parseLinks(s.links) })),
    ticketTypes: offered.map((t) => {
      const remaining = Math.max(0, t.quantity - t.sold - t.held);
      return {
        id: t.id,
        name: t.name,
        description: t.description,
        price: t.price,
        currency: t.currency,
        saleStartsAt: t.sale_starts_at,
        saleEndsAt: t.sale_ends_at,
        minPerOrder: t.min_per_order,
        maxPerOrder: t.max_per_order,
        remaining,
        state: saleState(event.status, t.sale_starts_at, t.sale_ends_at, remaining, now),
        sessionIds: grants.filter((g) => g.ticket_type_id === t.id).map((g) => g.session_id),
      };
    }),
  };
}

/** On sale only for an approved event, inside the sale window, with seats left. */
export function saleState(status: string, startsAt: string | null, endsAt: string | null, remaining: number, now: Date): SaleState {
  if (status !== "approved") return "unavailable";
  const at = now.toISOString();
  if (startsAt !== null && at < startsAt) return "not_started";
  if (endsAt !== null && at >= endsAt) return "ended";
  return remaining > 0 ? "on_sale" : "sold_out";
}

type VisibilityFacts = { id: string; status: string; visibility: string };

/** Whether anyone at all may see it: published (or cancelled) and public or unlisted. */
export function isOpenEvent(event: VisibilityFacts): boolean {
  return PUBLISHED.has(event.status) && event.visibility !== "invite_only";
}

/**
 * The rule above for one viewer: open events for all; published invite-only ones for
 * invitees, ticket holders and those with the code; any state for those who run it.
 */
export async function mayViewEvent(db: Kysely<DB>, actor: Actor, event: VisibilityFacts, hasEventCode = false): Promise<boolean> {
  if (isOpenEvent(event) || (PUBLISHED.has(event.status) && hasEventCode)) return true;
  return (PUBLISHED.has(event.status) && (await isInvited(db, actor, event.id))) || runsEvent(db, actor, event.id);
}

/**
 * mayViewEvent for a visitor who may bring the event's access code (read trimmed, in any case),
 * as the event page's links pass it on to its images and to its speakers', sponsors' and
 * ratings' pages. Guessing is counted by the page's own guard: a code that opens nothing counts
 * as a wrong one, and a paused address gets 429 before anything is checked.
 */
export async function mayViewEventWithCode(
  db: Kysely<DB>,
  actor: Actor,
  event: VisibilityFacts & { access_code_hash: string | null },
  code: string | undefined,
  ip: string,
): Promise<boolean> {
  if (code) await accessCodeGuard.assertMayTry(db, ip);
  const hasCode = code !== undefined && event.access_code_hash !== null && hashAccessCode(code) === event.access_code_hash;
  const may = await mayViewEvent(db, actor, event, hasCode);
  if (!may && code && !hasCode) await accessCodeGuard.wrong(db, ip);
  return may;
}

/** Invited by their verified address, or already holding a ticket for it. */
async function isInvited(db: Kysely<DB>, actor: Actor, eventId: string): Promise<boolean> {
  const userId = actorUserId(actor);
  if (!userId) return false;
  const user = await db.selectFrom("users").select(["email", "email_verified_at"]).where("id", "=", userId).executeTakeFirst();
  if (!user) return false;
  if (user.email_verified_at !== null) {
    const invite = await db
      .selectFrom("event_invitees")
      .select("email")
      .where("event_id", "=", eventId)
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", user.email.toLowerCase()))
      .executeTakeFirst();
    if (invite) return true;
  }
  const ticket = await db.selectFrom("tickets").select("id").where("event_id", "=", eventId).where("user_id", "=", userId).executeTakeFirst();
  return ticket !== undefined;
}

/** Team members, organization members and platform admins see any state of the event. */
async function runsEvent(db: Kysely<DB>, actor: Actor, eventId: string): Promise<boolean> {
  if (actor.kind === "admin" || (actor.kind === "api_token" && actor.role === "admin" && actor.scopes.includes("admin"))) return true;
  if (actor.kind === "anonymous") return false;
  const resource = await eventResource(db, actor, eventId);
  return resource.organizationRole !== null || resource.teamRole !== null;
}

function parseLinks(json: string): { label: string; url: string }[] {
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (l): l is { label: string; url: string } =>
        typeof l?.label === "string" && typeof l?.url === "string" && /^https?:\/\//i.test(l.url),
    );
  } catch {
    return [];
  }
}
