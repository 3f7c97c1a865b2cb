/**
 * Who the caller is to an event: their role in its organization and in its team, loaded as
 * the policy resource `can(actor, action, resource)` decides on. Every event-scoped route
 * (events, tickets, orders, check-in, rooms) authorizes through here.
 */
import { type ExpressionBuilder, type Kysely, sql, type Transaction } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { can, type Resource } from "../accounts/policy.ts";
import type { DB, EventTeamRoleColumn, OrganizationRole } from "../db/schema.ts";
import { AppError } from "../errors.ts";

type Db = Kysely<DB> | Transaction<DB>;

export type EventResource = Resource & { kind: "event"; organizationId: string };

/** The event as a policy resource; 404 when it does not exist. One query: it runs on every chat message. */
export async function eventResource(db: Db, actor: Actor, eventId: string): Promise<EventResource> {
  const event = await db
    .selectFrom("events")
    .select((eb) => ["events.id", "events.organization_id", ...callerRoles(eb, actorUserId(actor))])
    .where("events.id", "=", eventId)
    .executeTakeFirst();
  if (!event) throw AppError.notFound("No such event");
  return toEventResource(event);
}

/**
 * The user's role in the event's organization and in its team, as columns of a query over
 * `events` (null for no role, and for no user), so a caller that reads more of the event
 * reads them in the same query.
 */
export function callerRoles(eb: ExpressionBuilder<DB, "events">, userId: string | null) {
  if (userId === null) return [sql<OrganizationRole | null>`null`.as("organization_role"), sql<EventTeamRoleColumn | null>`null`.as("team_role")] as const;
  return [
    eb
      .selectFrom("organization_members")
      .select("organization_members.role")
      .whereRef("organization_members.organization_id", "=", "events.organization_id")
      .where("organization_members.user_id", "=", userId)
      .as("organization_role"),
    eb
      .selectFrom("event_team")
      .select("event_team.role")
      .whereRef("event_team.event_id", "=", "events.id")
      .where("event_team.user_id", "=", userId)
      .as("team_role"),
  ] as const;
}

/** The policy resource of an event row read with callerRoles. */
export function toEventResource(row: { id: string; organization_id: string; organization_role: OrganizationRole | null; team_role: EventTeamRoleColumn | null }): EventResource {
  return { kind: "event", id: row.id, organizationId: row.organization_id, organizationRole: row.organization_role, teamRole: row.team_role };
}

/**
 * Throws unless the actor may do the action on the event. Callers with no relation to the
 * event learn nothing about it (404); team members whose role does not allow it get 403.
 */
export async function authorizeEvent(db: Db, actor: Actor, action: string, eventId: string): Promise<EventResource> {
  const resource = await eventResource(db, actor, eventId);
  if (can(actor, action, resource)) return resource;
  if (resource.organizationRole === null && resource.teamRole === null) throw AppError.notFound("No such event");
  throw AppError.forbidden("forbidden", "Your role in this event does not allow that");
}

/** The event a session belongs to; 404 when the session does not exist. */
export async function eventIdOfSession(db: Db, sessionId: string): Promise<string> {
  const row = await db.selectFrom("event_sessions").select("event_id").where("id", "=", sessionId).executeTakeFirst();
  if (!row) throw AppError.notFound("No such session");
  return row.event_id;
}
