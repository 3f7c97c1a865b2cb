import type { Kysely } from "kysely";

/**
 * Where an event's live streams are pushed (RTMP or RTMPS ingests: YouTube, Twitch, AWS
 * MediaLive...). The stream key is stored encrypted (AES-256-GCM, the key derived from
 * `keys/stream-keys.key` in the data folder, never in the database) with its last four
 * characters apart, which is all the API ever shows of it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("stream_destinations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("ingest_url", "text", (c) => c.notNull())
    .addColumn("stream_key_sealed", "text", (c) => c.notNull())
    .addColumn("stream_key_last4", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("stream_destinations_event").on("stream_destinations").columns(["event_id"]).execute();
}
