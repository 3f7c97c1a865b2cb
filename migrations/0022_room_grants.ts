import { type Kysely, sql } from "kysely";

/**
 * Live rooms: roles a host gave inside a session's room that raise a person above what their
 * join token says (an attendee brought on stage, someone made co-host), so that a server
 * restart during the session gives them back when the person rejoins. Sending the person
 * back, removing them from the room, or a host ending the room deletes the row; the join
 * token still decides the starting role. One row per session and person: the primary key is
 * the lookup a room makes when it loads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("room_grants")
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('host', 'speaker')`))
    .addColumn("granted_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("granted_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("room_grants_pk", ["session_id", "user_id"])
    .execute();
}
