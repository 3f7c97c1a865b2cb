import { type Kysely, sql } from "kysely";

/**
 * Recordings of live sessions (recorder/, server/recordings): one row per recording with
 * its lifecycle state, where its files are stored, its playback key and its edits. The
 * AES-128 key of the HLS segments lives here, never in the store, so a leaked bucket does
 * not play. Timestamps are ISO text and ids UUID text, as in 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("recordings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) =>
      c.notNull().defaultTo("recording").check(sql`state in ('recording', 'processing', 'uploading', 'ready', 'failed')`),
    )
    // Why it failed, shown to the hosts beside the retry action.
    .addColumn("failure_reason", "text", (c) => c.notNull().defaultTo(""))
    // Who may watch: holders of the session's tickets (and the team), or everyone.
    .addColumn("access", "text", (c) => c.notNull().defaultTo("ticket_holders").check(sql`access in ('ticket_holders', 'everyone')`))
    .addColumn("started_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("ended_at", "text")
    .addColumn("duration_ms", "integer")
    // Organizer's trim, applied to playback; null keeps the start or end.
    .addColumn("trim_start_ms", "integer")
    .addColumn("trim_end_ms", "integer")
    // "local" or "s3": where the files went; key prefix `recordings/<id>/`.
    .addColumn("storage_backend", "text")
    .addColumn("hls_key", "text")
    .addColumn("size_bytes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("recordings_event").on("recordings").columns(["event_id", "started_at"]).execute();
  await db.schema.createIndex("recordings_session").on("recordings").columns(["session_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("recordings").execute();
}
