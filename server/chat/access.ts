/**
 * Who may take part where, from the events and tickets tables: an event's lobby is for its
 * ticket holders, team and speakers; a session's room for those whose ticket grants that
 * session (a ticket type with no session rows grants them all), the team and its speakers;
 * backstage for the team and speakers. Moderators are who the policy lets "event.moderate".
 */
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import { connectionActor } from "../accounts/realtime-gate.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { callerRoles, type EventResource, toEventResource } from "../events/access.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";

export type EventStanding = {
  eventId: string;
  resource: EventResource;
  /** Team member of any role, organization admin or platform admin. */
  isTeam: boolean;
  isSpeaker: boolean;
  hasTicket: boolean;
  canModerate: boolean;
  /** Whether the event allows private one-to-one messages. */
  privateMessages: boolean;
  eventTitle: string;
  /** Whether the user takes part in the event in their own right (see takesPart). */
  takesPart: boolean;
};

/**
 * The caller's standing in one query (the event row with their roles, ticket and speaker
 * entry), since every chat message re-checks it and thousands rejoin at once after a restart.
 */
function standingQuery(db: Kysely<DB>, actor: Actor, userId: string) {
  return db.selectFrom("events").select((eb) => [
    "events.id",
    "events.organization_id",
    "events.private_messages",
    "events.title",
    ...callerRoles(eb, actorUserId(actor)),
    eb.exists(validTickets(eb, userId)).as("has_ticket"),
    eb.exists(eb.selectFrom("speakers").select("speakers.id").whereRef("speakers.event_id", "=", "events.id").where("speakers.user_id", "=", userId)).as("is_speaker"),
  ]);
}

type StandingRow = NonNullable<Awaited<ReturnType<ReturnType<typeof standingQuery>["executeTakeFirst"]>>>;

async function toStanding(db: Kysely<DB>, actor: Actor, userId: string, row: StandingRow): Promise<EventStanding> {
  const resource = toEventResource(row);
  const canModerate = can(actor, "event.moderate", resource);
  const hasTicket = Boolean(row.has_ticket);
  const isSpeaker = Boolean(row.is_speaker);
  // The roles were read for the actor; for anyone else it takes its own query.
  const takesPartHere = actorUserId(actor) === userId
    ? hasTicket || isSpeaker || resource.teamRole !== null || resource.organizationRole === "admin" || resource.organizationRole === "owner"
    : await takesPart(db, userId, row.id);
  return {
    eventId: row.id,
    resource,
    isTeam: resource.teamRole !== null || canModerate || can(actor, "event.update", resource),
    isSpeaker,
    hasTicket,
    canModerate,
    privateMessages: row.private_messages === 1,
    eventTitle: row.title,
    takesPart: takesPartHere,
  };
}

export async function eventStanding(db: Kysely<DB>, actor: Actor, userId: string, eventId: string): Promise<EventStanding> {
  const row = await standingQuery(db, actor, userId).where("events.id", "=", eventId).executeTakeFirst();
  if (!row) throw AppError.notFound("No such event");
  return toStanding(db, actor, userId, row);
}

/**
 * Whether someone takes part in an event in their own right: a valid ticket, a place on its
 * team, a speaker's entry, or admin/owner of its organization. Both sides of a private
 * conversation need to, so a platform admin, or an organization member with no role in the
 * event, can neither write nor be written to there.
 */
export async function takesPart(db: Kysely<DB>, userId: string, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom("events")
    .select("events.id")
    .where("events.id", "=", eventId)
    .where((eb) => eb.or([
      eb.exists(validTickets(eb, userId)),
      eb.exists(eb.selectFrom("event_team").select("user_id").whereRef("event_team.event_id", "=", "events.id").where("event_team.user_id", "=", userId)),
      eb.exists(eb.selectFrom("speakers").select("id").whereRef("speakers.event_id", "=", "events.id").where("speakers.user_id", "=", userId)),
      eb.exists(eb.selectFrom("organization_members").select("user_id").whereRef("organization_members.organization_id", "=", "events.organization_id")
        .where("organization_members.user_id", "=", userId).where("organization_members.role", "in", ["admin", "owner"])),
    ]))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The user's valid tickets to the event of the outer query. Found by user: without table
 * statistics SQLite would take the (event_id, status) index and walk every valid ticket of
 * the event, thousands per message in a big one, so the unary `+` keeps event_id off it.
 */
function validTickets(eb: ExpressionBuilder<DB, "events">, userId: string) {
  return eb
    .selectFrom("tickets")
    .select("tickets.id")
    .where("tickets.user_id", "=", userId)
    .where(sql<string>`+${sql.ref("tickets.event_id")}`, "=", eb.ref("events.id"))
    .where("tickets.status", "=", "valid");
}

export type SessionStanding = EventStanding & { sessionId: string; mayEnter: boolean };

export async function sessionStanding(db: Kysely<DB>, actor: Actor, userId: string, sessionId: string): Promise<SessionStanding> {
  const row = await standingQuery(db, actor, userId)
    .select((eb) => [
      eb.exists(eb.selectFrom("session_speakers")
        .innerJoin("speakers", "speakers.id", "session_speakers.speaker_id")
        .select("speakers.id")
        .where("session_speakers.session_id", "=", sessionId)
        .where("speakers.user_id", "=", userId)).as("speaks_here"),
      eb.exists(validTickets(eb, userId).where(grantsSession(sessionId))).as("ticket_grants_session"),
    ])
    .where("events.id", "=", (eb) => eb.selectFrom("event_sessions").select("event_sessions.event_id").where("event_sessions.id", "=", sessionId))
    .executeTakeFirst();
  if (!row) throw AppError.notFound("No such session");
  const standing = await toStanding(db, actor, userId, row);
  const mayEnter = standing.isTeam || standing.canModerate
    || (standing.isSpeaker && Boolean(row.speaks_here))
    || (standing.hasTicket && Boolean(row.ticket_grants_session));
  return { ...standing, sessionId, mayEnter };
}

/** Throws 404 for outsiders: someone without a ticket learns nothing about the session. */
export async function requireSession(db: Kysely<DB>, actor: Actor, userId: string, sessionId: string): Promise<SessionStanding> {
  const standing = await sessionStanding(db, actor, userId, sessionId);
  if (!standing.mayEnter) throw AppError.notFound("No such session, or your ticket does not include it");
  return standing;
}

/** A ticket grants a session when its type lists it, or lists no session at all. */
const grantsSession = (sessionId: string) => (eb: ExpressionBuilder<DB, "tickets">) => {
  const typeSessions = () =>
    eb.selectFrom("ticket_type_sessions").select("session_id").whereRef("ticket_type_sessions.ticket_type_id", "=", "tickets.ticket_type_id");
  return eb.or([eb.not(eb.exists(typeSessions())), eb.exists(typeSessions().where("ticket_type_sessions.session_id", "=", sessionId))]);
};

/** The signed-in user of a realtime connection, as an actor. */
export function caller(connection: RealtimeConnection): { userId: string; actor: Actor } {
  const user = connection.user;
  if (!user) throw AppError.unauthorized();
  return { userId: user.id, actor: connectionActor(user) };
}

/** requireSession for the user of a realtime connection, with their id. */
export async function requireSessionFor(db: Kysely<DB>, connection: RealtimeConnection, sessionId: string): Promise<SessionStanding & { userId: string }> {
  const user = connection.user;
  if (!user) throw AppError.unauthorized();
  return { ...(await requireSession(db, connectionActor(user), user.id, sessionId)), userId: user.id };
}

/** Users (with accounts) and e-mail-only holders whose valid ticket grants the session, or the whole event when no session. */
export async function attendees(
  db: Kysely<DB>,
  eventId: string,
  sessionId: string | null,
): Promise<{ userIds: string[]; emailsWithoutAccount: { email: string; name: string }[] }> {
  let query = db
    .selectFrom("tickets")
    .select(["tickets.user_id", "tickets.holder_email", "tickets.holder_name"])
    .where("tickets.event_id", "=", eventId)
    .where("tickets.status", "=", "valid");
  if (sessionId) {
    query = query.where(grantsSession(sessionId));
  }
  const rows = await query.execute();
  const userIds = new Set<string>();
  const emails = new Map<string, string>();
  for (const row of rows) {
    if (row.user_id) userIds.add(row.user_id);
    else emails.set(row.holder_email.toLowerCase(), row.holder_name);
  }
  return { userIds: [...userIds], emailsWithoutAccount: [...emails].map(([email, name]) => ({ email, name })) };
}
