/**
 * Who may do what with recordings. Hosts of the live room start and stop; the event's
 * owners and co-hosts (and organization admins) manage (rename, trim, delete, retry,
 * download); viewers watch when the recording is open to everyone, or when they could
 * enter the session's room (ticket holders, speakers, the team). Either way only once the
 * event itself is theirs to see (its page's rule): "everyone" means everyone who may see
 * the event, so a draft's recordings stay with its team, and an invite-only event's with
 * its invitees, ticket holders and those who bring its access code.
 */
import type { Kysely, Selectable } from "kysely";
import type { Actor } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB, RecordingsTable } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { mayViewEventWithCode } from "../discovery/event-page.ts";
import { eventResource } from "../events/access.ts";
import { decideRoomAccess, loadRoomSession } from "../rooms/access.ts";

export type RecordingRow = Selectable<RecordingsTable>;

/** Throws unless the actor is a host of the session's room; returns the session's event and title. */
export async function authorizeControl(db: Kysely<DB>, actor: Actor, sessionId: string) {
  const { session, event } = await loadRoomSession(db, sessionId);
  const access = await decideRoomAccess(db, actor, session, event);
  if (!can(actor, "recording.control", { kind: "room", id: session.id, role: access.role })) {
    throw AppError.forbidden("forbidden", "Only a host of the room can start or stop recording");
  }
  return { session, event };
}

export async function canManage(db: Kysely<DB>, actor: Actor, eventId: string): Promise<boolean> {
  if (actor.kind === "anonymous") return false;
  return can(actor, "recording.manage", await eventResource(db, actor, eventId));
}

/** The recording, if the actor may manage it; 404 for those who may not even see it. */
export async function authorizeManage(db: Kysely<DB>, actor: Actor, id: string): Promise<RecordingRow> {
  const row = await db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw AppError.notFound("No such recording");
  if (await canManage(db, actor, row.event_id)) return row;
  throw AppError.forbidden("forbidden", "Only the event's owners and co-hosts manage its recordings");
}

/** How the visitor came: the event's access code they bring (if any) and their address, which counts wrong codes. */
export type Visit = { code: string | undefined; ip: string };

/** Throws 404, as the event page does, unless the actor may see the event the recordings belong to. */
export async function authorizeEventView(db: Kysely<DB>, actor: Actor, eventId: string, visit: Visit): Promise<void> {
  const event = await db.selectFrom("events").select(["id", "status", "visibility", "access_code_hash"]).where("id", "=", eventId).executeTakeFirst();
  if (!event || !(await mayViewEventWithCode(db, actor, event, visit.code, visit.ip))) throw AppError.notFound("No such event");
}

/** Throws unless the actor may watch `row` (see the module comment). */
export async function authorizeWatch(db: Kysely<DB>, actor: Actor, row: RecordingRow, visit: Visit): Promise<void> {
  await authorizeEventView(db, actor, row.event_id, visit);
  await authorizeWatchInEvent(db, actor, row);
}

/** authorizeWatch for a caller already known to see the event (a listing checks that once). */
export async function authorizeWatchInEvent(db: Kysely<DB>, actor: Actor, row: RecordingRow): Promise<void> {
  if (row.access === "everyone") return;
  if (await canManage(db, actor, row.event_id)) return;
  const { session, event } = await loadRoomSession(db, row.session_id);
  await decideRoomAccess(db, actor, session, event);
}
