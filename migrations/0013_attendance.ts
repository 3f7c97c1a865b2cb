import type { Kysely } from "kysely";

/**
 * Who actually entered a session's live room: one row per person and session, written when
 * the SFU lets them in (not while they wait in the lobby, not hidden peers such as the
 * recorder). Ratings of a session and the invitations to rate it go to these people, not to
 * everyone whose ticket granted the session.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("session_attendance")
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("first_joined_at", "text", (c) => c.notNull())
    .addColumn("last_joined_at", "text", (c) => c.notNull())
    .addColumn("joins", "integer", (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint("session_attendance_pk", ["session_id", "user_id"])
    .execute();
  await db.schema.createIndex("session_attendance_user").on("session_attendance").columns(["user_id"]).execute();
}
