import type { Kysely } from "kysely";

/**
 * Saved payment methods: the payment provider's customer for each user (a Stripe Customer),
 * made at a user's first paid checkout. Cards saved at checkout hang off it at the provider;
 * Plenary keeps only the id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("payment_customers")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("customer_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("payment_customers_pk", ["user_id", "provider"])
    .execute();
}
