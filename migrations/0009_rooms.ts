import type { Kysely } from "kysely";

/**
 * Live rooms: people a host removed from a session's room with a ban. The join-token route
 * refuses them, so a ban outlives the room process and a server restart. Timestamps are ISO
 * text and ids UUID text, as in 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("room_bans")
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("banned_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("room_bans_pk", ["session_id", "user_id"])
    .execute();
}
