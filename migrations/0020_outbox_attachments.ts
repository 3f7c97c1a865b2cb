import type { Kysely } from "kysely";

/**
 * Files sent with an outbox message (a confirmation's calendar file, say), as a JSON array of
 * `{ filename, contentType, content }` with the content in base64, so a message kept in the
 * outbox (no SMTP) or delivered later carries exactly what it was written with.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("outbox").addColumn("attachments", "text", (c) => c.notNull().defaultTo("[]")).execute();
}
