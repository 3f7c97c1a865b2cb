/**
 * Whether a public page may show an event's ratings, sponsors or speakers: published
 * (approved or cancelled) and not invite-only, or the caller is on its team, holds a ticket
 * or is a platform admin. Anyone else gets the same 404 as for an event that does not exist.
 */
import type { Kysely } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { eventResource } from "../events/access.ts";

const PUBLISHED = new Set(["approved", "cancelled"]);

export async function requireVisibleEvent(db: Kysely<DB>, actor: Actor, eventId: string): Promise<{ id: string; organizationId: string; title: string; slug: string }> {
  const event = await db.selectFrom("events").select(["id", "organization_id", "title", "slug", "status", "visibility"]).where("id", "=", eventId).executeTakeFirst();
  if (!event) throw AppError.notFound("No such event");
  const view = { id: event.id, organizationId: event.organization_id, title: event.title, slug: event.slug };
  if (PUBLISHED.has(event.status) && event.visibility !== "invite_only") return view;
  const resource = await eventResource(db, actor, eventId);
  if (can(actor, "event.read", resource)) return view;
  const userId = actorUserId(actor);
  if (userId && PUBLISHED.has(event.status)) {
    const ticket = await db.selectFrom("tickets").select("id").where("event_id", "=", eventId).where("user_id", "=", userId).where("status", "=", "valid").executeTakeFirst();
    if (ticket) return view;
  }
  throw AppError.notFound("No such event");
}
