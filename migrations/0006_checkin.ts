import { type Kysely, sql } from "kysely";

/**
 * Check-in: lists per event (the main entrance, a workshop room …), each accepting some
 * ticket types, and one row per ticket admitted on a list. A ticket enters a list once
 * (unique list + ticket); every scan carries the scanning device's nonce, unique, so a
 * scanner that re-uploads its offline queue never counts a scan twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("checkin_lists")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    // JSON array of the ticket type ids admitted; null: every type of the event.
    .addColumn("ticket_type_ids", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("checkin_lists_event").on("checkin_lists").column("event_id").execute();

  await db.schema
    .createTable("checkins")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("list_id", "text", (c) => c.notNull().references("checkin_lists.id").onDelete("cascade"))
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id").onDelete("cascade"))
    // The scanner's id for this scan; a repeated upload of the same scan matches it.
    .addColumn("nonce", "text", (c) => c.notNull().unique())
    .addColumn("source", "text", (c) => c.notNull().check(sql`source in ('scan', 'manual')`))
    .addColumn("scanned_by", "text", (c) => c.references("users.id").onDelete("set null"))
    // When the door admitted the ticket (the device's clock), and when the server learnt of it.
    .addColumn("scanned_at", "text", (c) => c.notNull())
    .addColumn("synced_at", "text", (c) => c.notNull())
    .addUniqueConstraint("checkins_once_per_list", ["list_id", "ticket_id"])
    .execute();
}
