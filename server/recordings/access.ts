/**
 * Who may do what with recordings. Hosts of the live room start and stop; the event's
 * owners and co-hosts (and organization admins) manage (rename, trim, delete, retry,
 * download); viewers watch when the recording is open to everyone, or when they could
 * enter the session's room (ticket holders, speakers, the team).
 */
import type { Kysely, Selectable } from "kysely";
import type { Actor } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB, RecordingsTable } from "../db/schema.ts";
import { AppError } from "../errors.ts";
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

/** Throws unless the actor may watch `row` (see the module comment). */
export async function authorizeWatch(db: Kysely<DB>, actor: Actor, row: RecordingRow): Promise<void> {
  if (row.access === "everyone") return;
  if (await canManage(db, actor, row.event_id)) return;
  const { session, event } = await loadRoomSession(db, row.session_id);
  await decideRoomAccess(db, actor, session, event);
}
