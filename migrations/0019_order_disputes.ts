import type { Kysely } from "kysely";

/**
 * Where a cardholder's dispute of an order stands (null: never disputed; open, won, lost),
 * so the order's page and the organizer's lists can say so; a lost dispute also revokes the
 * order's tickets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("orders").addColumn("dispute_status", "text").execute();
}
