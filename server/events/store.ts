/**
 * Reading and writing event rows for the organizer routes: one place that knows a cancelled
 * event is frozen, how slugs are kept unique, and that an approved event whose key fields
 * change goes back to review (docs/design.md).
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import type { DB, EventsTable } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "./access.ts";
import { KEY_FIELDS } from "./fields.ts";

type Db = Kysely<DB> | Transaction<DB>;
export type EventRow = Selectable<EventsTable>;

export async function eventRow(db: Db, id: string) {
  const row = await db.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw AppError.notFound("No such event");
  return row;
}

/**
 * The slug itself when it is free; a chosen slug that is taken is a conflict, a derived one
 * gets a number ("rust-conf-2").
 */
export async function freeSlug(db: Db, wanted: string, chosen: boolean): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? wanted : `${wanted}-${n}`;
    const taken = await db.selectFrom("events").select("id").where("slug", "=", candidate).executeTakeFirst();
    if (!taken) return candidate;
    if (chosen) throw new AppError("slug_taken", 409, "Another event uses this address; choose another", [{ path: "slug", message: "Already taken" }]);
  }
  return `${wanted}-${randomUUID().slice(0, 8)}`;
}

/** The event, once the actor may edit it and it is not cancelled. */
export async function editableEvent(trx: Db, actor: Actor, id: string): Promise<EventRow> {
  await authorizeEvent(trx, actor, "event.update", id);
  const event = await eventRow(trx, id);
  if (event.status === "cancelled") throw AppError.conflict("event_cancelled", "A cancelled event cannot be changed");
  return event;
}

export function keyChangeSendsToReview(before: EventRow, after: EventRow): boolean {
  return before.status === "approved" && KEY_FIELDS.some((k) => before[k] !== after[k]);
}

/**
 * Writes the changes (which carry `updated_at`); when they alter a key field of an approved
 * event it goes back to "submitted" with a re_review step. Says whether it did.
 */
export async function writeEventChange(trx: Transaction<DB>, actor: Actor, before: EventRow, changes: Partial<EventRow> & { updated_at: string }): Promise<boolean> {
  const reReview = keyChangeSendsToReview(before, { ...before, ...changes });
  if (reReview) Object.assign(changes, { status: "submitted", submitted_at: changes.updated_at });
  await trx.updateTable("events").set(changes).where("id", "=", before.id).execute();
  if (reReview) {
    await trx.insertInto("event_reviews").values({ id: randomUUID(), event_id: before.id, actor_id: actorUserId(actor), decision: "re_review", comment: "", created_at: changes.updated_at }).execute();
  }
  return reReview;
}
