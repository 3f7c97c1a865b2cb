/**
 * Who may enter a session's live room, and in which role. Platform admins, the
 * organization's owners and admins, and the event's owner, co-hosts and moderators are
 * hosts; speakers linked to the session speak; holders of a valid ticket whose type grants
 * the session attend (a ticket type with no session rows grants them all). Anyone else is
 * refused with the reason and where to get a ticket.
 */
import type { Kysely, Selectable } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import type { RoomRole } from "../accounts/policy.ts";
import type { DB, EventSessionsTable, EventsTable } from "../db/schema.ts";
import { AppError } from "../errors.ts";

/** A refusal that tells the person where to get a ticket. */
export class RoomRefused extends AppError {
  override name = "RoomRefused";
  readonly ticketUrl: string;

  constructor(message: string, ticketUrl: string) {
    super("ticket_required", 403, message);
    this.ticketUrl = ticketUrl;
  }

  override toJSON() {
    return { ...super.toJSON(), ticketUrl: this.ticketUrl };
  }
}

export type RoomSession = Pick<Selectable<EventSessionsTable>, "id" | "event_id" | "title" | "starts_at" | "ends_at" | "lobby_mode" | "max_peers" | "max_publishers" | "live_room">;
export type RoomEvent = Pick<Selectable<EventsTable>, "id" | "organization_id" | "slug" | "title" | "time_zone" | "status">;

/** Why the person enters in the role: shown to nobody, logged for support. */
export type AccessReason = "platform_admin" | "organization" | "event_team" | "speaker" | "ticket";
export type RoomAccess = { role: RoomRole; reason: AccessReason };

const HOST_TEAM_ROLES = new Set(["owner", "co_host", "moderator"]);

/** The session with its event, or a 404 when either is missing or the session has no room. */
export async function loadRoomSession(db: Kysely<DB>, sessionId: string): Promise<{ session: RoomSession; event: RoomEvent }> {
  const row = await db
    .selectFrom("event_sessions")
    .innerJoin("events", "events.id", "event_sessions.event_id")
    .select([
      "event_sessions.id", "event_sessions.event_id", "event_sessions.title", "event_sessions.starts_at", "event_sessions.ends_at",
      "event_sessions.lobby_mode", "event_sessions.max_peers", "event_sessions.max_publishers", "event_sessions.live_room",
      "events.organization_id", "events.slug", "events.title as event_title", "events.time_zone", "events.status",
    ])
    .where("event_sessions.id", "=", sessionId)
    .executeTakeFirst();
  if (!row || !row.live_room) throw AppError.notFound("This session has no live room");
  const { organization_id, slug, event_title, time_zone, status, ...session } = row;
  return { session, event: { id: row.event_id, organization_id, slug, title: event_title, time_zone, status } };
}

/** Decides the person's role in the session's room; throws when they may not enter. */
export async function decideRoomAccess(db: Kysely<DB>, actor: Actor, session: RoomSession, event: RoomEvent): Promise<RoomAccess> {
  const userId = actorUserId(actor);
  if (!userId) throw AppError.unauthorized();
  const banned = await db.selectFrom("room_bans").select("user_id").where("session_id", "=", session.id).where("user_id", "=", userId).executeTakeFirst();
  if (banned) throw AppError.forbidden("banned_from_room", "A host removed you from this session's room");

  if (actor.kind === "admin") return { role: "host", reason: "platform_admin" };
  const [membership, team] = await Promise.all([
    db.selectFrom("organization_members").select("role").where("organization_id", "=", event.organization_id).where("user_id", "=", userId).executeTakeFirst(),
    db.selectFrom("event_team").select("role").where("event_id", "=", event.id).where("user_id", "=", userId).executeTakeFirst(),
  ]);
  if (membership && (membership.role === "owner" || membership.role === "admin")) return { role: "host", reason: "organization" };
  if (team && HOST_TEAM_ROLES.has(team.role)) return { role: "host", reason: "event_team" };

  if (event.status === "cancelled") throw AppError.conflict("event_cancelled", "This event was cancelled");
  const speaker = await db
    .selectFrom("speakers")
    .innerJoin("session_speakers", "session_speakers.speaker_id", "speakers.id")
    .select("speakers.id")
    .where("speakers.user_id", "=", userId)
    .where("session_speakers.session_id", "=", session.id)
    .executeTakeFirst();
  if (speaker) return { role: "speaker", reason: "speaker" };

  const ticket = await db
    .selectFrom("tickets")
    .select("tickets.id")
    .where("tickets.event_id", "=", event.id)
    .where("tickets.user_id", "=", userId)
    .where("tickets.status", "=", "valid")
    .where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom("ticket_type_sessions").select("session_id").whereRef("ticket_type_sessions.ticket_type_id", "=", "tickets.ticket_type_id"))),
        eb.exists(
          eb.selectFrom("ticket_type_sessions").select("session_id")
            .whereRef("ticket_type_sessions.ticket_type_id", "=", "tickets.ticket_type_id")
            .where("ticket_type_sessions.session_id", "=", session.id),
        ),
      ]),
    )
    .executeTakeFirst();
  if (ticket) return { role: "attendee", reason: "ticket" };
  throw new RoomRefused(`You need a ticket that includes "${session.title}" to enter its room.`, `/events/${event.slug}`);
}
