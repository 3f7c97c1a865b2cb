import type { Kysely } from "kysely";

/**
 * The live sponsor overlay of each session, so that a restart resumes it: the last command a
 * host gave (show, schedule or rotate, as JSON) and when it was given. What is on screen at
 * any moment follows from these two (a rotation's turn, a timed show's end), so nothing is
 * written while it runs. Hiding it, or a timed show that ended, removes the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sponsor_overlays")
    .addColumn("session_id", "text", (c) => c.primaryKey().references("event_sessions.id").onDelete("cascade"))
    .addColumn("command", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .execute();
}

