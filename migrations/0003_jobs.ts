import { type Kysely, sql } from "kysely";

/**
 * The durable job queue (server/jobs). One row per job; `key` is unique so a job with a
 * domain meaning (a reminder for one attendee and one session) can exist only once, and
 * runners claim rows by writing a lease (`locked_by`, `locked_until`) in one statement.
 * Timestamps are ISO text and ids UUID text, as in 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("jobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    // NULL for jobs nobody needs to find again; unique otherwise (NULLs never collide).
    .addColumn("key", "text", (c) => c.unique())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'dead')`))
    .addColumn("run_at", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("last_error", "text")
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .execute();
  // The claim query: due jobs of some kinds, oldest first.
  await db.schema.createIndex("jobs_due").on("jobs").columns(["status", "run_at"]).execute();
  await db.schema.createIndex("jobs_kind").on("jobs").columns(["kind", "status"]).execute();
}
