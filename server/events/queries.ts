/** What the event editor shows: the event with its agenda, speakers, team, invitees and review history. */
import type { Kysely, Selectable } from "kysely";
import type { Actor } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB, EventSessionsTable, SpeakersTable } from "../db/schema.ts";
import type { EventResource } from "./access.ts";
import { eventRow } from "./store.ts";
import { eventView } from "./fields.ts";
import { invitationView, type InvitationView, openInvitations } from "../invitations/invitations.ts";

export async function loadEventDetail(db: Kysely<DB>, id: string, resource: EventResource, actor: Actor) {
  const event = await eventRow(db, id);
  const [organization, sessions, sessionSpeakers, sessionTypes, speakers, team, invites, invitees, reviews, ticketTypes] = await Promise.all([
    db.selectFrom("organizations").select(["id", "name", "slug"]).where("id", "=", event.organization_id).executeTakeFirstOrThrow(),
    db.selectFrom("event_sessions").selectAll().where("event_id", "=", id).orderBy("starts_at").orderBy("title").execute(),
    db.selectFrom("session_speakers").innerJoin("event_sessions", "event_sessions.id", "session_speakers.session_id")
      .select(["session_speakers.session_id", "session_speakers.speaker_id"]).where("event_sessions.event_id", "=", id).execute(),
    db.selectFrom("ticket_type_sessions").innerJoin("event_sessions", "event_sessions.id", "ticket_type_sessions.session_id")
      .select(["ticket_type_sessions.session_id", "ticket_type_sessions.ticket_type_id"]).where("event_sessions.event_id", "=", id).execute(),
    db.selectFrom("speakers").leftJoin("users", "users.id", "speakers.user_id")
      .selectAll("speakers").select("users.email as user_email").where("event_id", "=", id).orderBy("position").orderBy("name").execute(),
    db.selectFrom("event_team").innerJoin("users", "users.id", "event_team.user_id")
      .select(["users.id", "users.display_name", "users.email", "event_team.role", "event_team.created_at"]).where("event_id", "=", id).orderBy("event_team.created_at").execute(),
    openInvitations(db).where("event_id", "=", id).execute(),
    db.selectFrom("event_invitees").select("email").where("event_id", "=", id).orderBy("email").execute(),
    db.selectFrom("event_reviews").leftJoin("users", "users.id", "event_reviews.actor_id")
      .select(["event_reviews.decision", "event_reviews.comment", "event_reviews.created_at", "users.display_name"]).where("event_id", "=", id).orderBy("event_reviews.created_at", "desc").execute(),
    db.selectFrom("ticket_types").select(["id", "name"]).where("event_id", "=", id).orderBy("position").execute(),
  ]);
  const byKey = <T extends { session_id: string }, V>(rows: T[], value: (r: T) => V) => {
    const map = new Map<string, V[]>();
    for (const r of rows) map.set(r.session_id, [...(map.get(r.session_id) ?? []), value(r)]);
    return map;
  };
  const speakersOf = byKey(sessionSpeakers, (r) => r.speaker_id);
  const typesOf = byKey(sessionTypes, (r) => r.ticket_type_id);
  return {
    event: eventView(event),
    organization,
    role: { team: resource.teamRole, organization: resource.organizationRole },
    permissions: {
      update: can(actor, "event.update", resource),
      delete: can(actor, "event.delete", resource),
      cancel: can(actor, "event.cancel", resource),
      manageTeam: can(actor, "event.team.manage", resource),
      checkIn: can(actor, "event.checkIn", resource),
      moderate: can(actor, "event.moderate", resource),
    },
    sessions: sessions.map((s) => sessionView(s, speakersOf.get(s.id) ?? [], typesOf.get(s.id) ?? [])),
    speakers: speakers.map((s) => speakerView(s, s.user_email, invites.find((i) => i.speaker_id === s.id))),
    team: team.map((m) => ({ userId: m.id, displayName: m.display_name, email: m.email, role: m.role, since: m.created_at })),
    // Invited addresses only: who (if anyone) owns one shows once the invitation is accepted.
    invites: invites.filter((i) => i.kind === "event_team").map((i) => invitationView(i)),
    invitees: invitees.map((i) => i.email),
    reviews: reviews.map((r) => ({ decision: r.decision, comment: r.comment, at: r.created_at, by: r.display_name })),
    ticketTypes,
  };
}

type SessionRow = Selectable<EventSessionsTable>;

export function sessionView(s: SessionRow, speakerIds: string[], ticketTypeIds: string[]) {
  return {
    id: s.id, eventId: s.event_id, title: s.title, description: s.description, startsAt: s.starts_at, endsAt: s.ends_at, track: s.track,
    capacity: s.capacity, liveRoom: s.live_room === 1, recording: s.recording === 1, lobbyMode: s.lobby_mode,
    maxPeers: s.max_peers, maxPublishers: s.max_publishers, speakerIds, ticketTypeIds,
  };
}

type SpeakerRow = Selectable<SpeakersTable>;

/** A speaker for the organizer; `invitation` is the open one to link an account, if any. */
export function speakerView(s: SpeakerRow, userEmail: string | null, invitation?: Parameters<typeof invitationView>[0]) {
  return {
    id: s.id, eventId: s.event_id, name: s.name, title: s.title, bio: s.bio, links: JSON.parse(s.links) as { label: string; url: string }[],
    position: s.position, userId: s.user_id, userEmail,
    invitation: invitation ? invitationView(invitation) : (null as InvitationView | null),
    photoUrl: s.photo_path ? `/api/images/speakers/${s.id}?v=${encodeURIComponent(s.photo_path.slice(-17, -5))}` : null,
  };
}
