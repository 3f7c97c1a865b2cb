import type { Kysely } from "kysely";

/**
 * Announcement deliveries: one row per announcement and recipient address, written in the same transaction as the
 * recipient's outbox row (and inbox row), so an announcement job that fails part-way and runs
 * again skips everyone it already reached, ticket holders without an account included.
 *
 * Report outcomes: a moderator closes a chat report by deleting the message, muting its
 * author, or dismissing it; the report stays, with who closed it, when and how.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("announcement_deliveries")
    .addColumn("announcement_id", "text", (c) => c.notNull().references("announcements.id").onDelete("cascade"))
    // Lower-cased e-mail address: the one key shared by account holders and guests.
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("set null"))
    // Null when the person turned announcement e-mail off (the inbox row still counts).
    .addColumn("outbox_id", "text")
    .addColumn("delivered_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("announcement_deliveries_pk", ["announcement_id", "address"])
    .execute();
  for (const column of ["resolved_at", "resolved_by", "resolution"]) {
    await db.schema.alterTable("chat_reports").addColumn(column, "text").execute();
  }
}
