/**
 * Who the caller is to an event: their role in its organization and in its team, loaded as
 * the policy resource `can(actor, action, resource)` decides on. Every event-scoped route
 * (events, tickets, orders, check-in, rooms) authorizes through here.
 */
import type { Kysely, Transaction } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { can, type Resource } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";

type Db = Kysely<DB> | Transaction<DB>;

export type EventResource = Resource & { kind: "event"; organizationId: string };

/** The event as a policy resource; 404 when it does not exist. */
export async function eventResource(db: Db, actor: Actor, eventId: string): Promise<EventResource> {
  const event = await db.selectFrom("events").select(["id", "organization_id"]).where("id", "=", eventId).executeTakeFirst();
  if (!event) throw AppError.notFound("No such event");
  const userId = actorUserId(actor);
  if (!userId) return { kind: "event", id: event.id, organizationId: event.organization_id, organizationRole: null, teamRole: null };
  const [membership, team] = await Promise.all([
    db
      .selectFrom("organization_members")
      .select("role")
      .where("organization_id", "=", event.organization_id)
      .where("user_id", "=", userId)
      .executeTakeFirst(),
    db.selectFrom("event_team").select("role").where("event_id", "=", eventId).where("user_id", "=", userId).executeTakeFirst(),
  ]);
  return {
    kind: "event",
    id: event.id,
    organizationId: event.organization_id,
    organizationRole: membership?.role ?? null,
    teamRole: team?.role ?? null,
  };
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
