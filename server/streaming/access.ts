/**
 * Who may do what with live streams: the event's owners and co-hosts (and organization
 * admins) set up destinations; hosts of the session's room start and stop its stream and
 * see its health; whoever may enter the room (ticket holders of that session, speakers,
 * the team: server/rooms/access.ts) may watch the live HLS.
 */
import type { Kysely } from "kysely";
import type { Actor } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { eventResource } from "../events/access.ts";
import { decideRoomAccess, loadRoomSession } from "../rooms/access.ts";

/** Throws unless the actor may manage the event's destinations (404 for an unknown event). */
export async function authorizeDestinations(db: Kysely<DB>, actor: Actor, eventId: string, action: "stream.destinations.manage" | "stream.destinations.read"): Promise<void> {
  if (!can(actor, action, await eventResource(db, actor, eventId))) {
    throw AppError.forbidden("forbidden", "Only the event's owners and co-hosts manage its stream destinations");
  }
}

/** The session, its event and the actor's room role; throws when they may not enter the room. */
export async function roomAccess(db: Kysely<DB>, actor: Actor, sessionId: string) {
  const { session, event } = await loadRoomSession(db, sessionId);
  const access = await decideRoomAccess(db, actor, session, event);
  return { session, event, role: access.role };
}

/** Throws unless the actor is a host of the session's room. */
export async function authorizeStreamControl(db: Kysely<DB>, actor: Actor, sessionId: string) {
  const found = await roomAccess(db, actor, sessionId);
  if (!can(actor, "stream.control", { kind: "room", id: sessionId, role: found.role })) {
    throw AppError.forbidden("forbidden", "Only a host of the room can start or stop its live stream");
  }
  return found;
}
