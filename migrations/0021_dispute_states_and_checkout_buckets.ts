import { type Kysely, sql } from "kysely";
import { keyedTable } from "../server/db/dialect.ts";

/**
 * Dispute states in Plenary's words everywhere. Rows written before disputes were mapped kept
 * Stripe's status names (`needs_response`, `warning_under_review`, …) in `disputes.status`
 * and, where set, `orders.dispute_status`; they become inquiry, open, won, lost or closed as
 * the Stripe provider maps them today (appeals and unknown names: open, money still taken).
 * An order holds only open, won or lost (an inquiry or a closed inquiry moved no money), and
 * orders disputed before `orders.dispute_status` existed get it from their dispute.
 *
 * Checkout buckets: the checkout rate limit's token buckets ("ip:<address>",
 * "buyer:<account id or e-mail>") in the database, so a restart does not hand everyone a
 * fresh allowance. `at` is the last take in milliseconds since the epoch; a bucket idle for
 * a minute is full again and its row is deleted.
 */
const STRIPE_TO_PLENARY: Record<string, string> = {
  warning_needs_response: "inquiry",
  warning_under_review: "inquiry",
  warning_closed: "closed",
  needs_response: "open",
  under_review: "open",
  appeal_needs_response: "open",
  appeal_under_review: "open",
  charge_refunded: "closed",
  prevented: "closed",
};

const PLENARY_STATES = ["inquiry", "open", "won", "lost", "closed"];
const ORDER_STATES = ["open", "won", "lost"];

export async function up(db: Kysely<unknown>): Promise<void> {
  const mapped = sql.join(Object.entries(STRIPE_TO_PLENARY).map(([from, to]) => sql`when ${from} then ${to}`), sql` `);
  const plenary = sql.join(PLENARY_STATES);
  // Anything not already Plenary's (unknown names too) is an open dispute, as the provider maps it.
  await sql`update disputes set status = case status ${mapped} else 'open' end where status not in (${plenary})`.execute(db);
  await sql`
    update orders set dispute_status = case
      when dispute_status in ('won', 'lost') then dispute_status
      when dispute_status in ('warning_needs_response', 'warning_under_review', 'warning_closed', 'prevented', 'charge_refunded', 'inquiry', 'closed') then null
      else 'open' end
    where dispute_status is not null and dispute_status not in (${sql.join(ORDER_STATES)})`.execute(db);
  await sql`
    update orders set dispute_status = (
      select d.status from disputes d where d.order_id = orders.id and d.status in (${sql.join(ORDER_STATES)}) order by d.updated_at desc limit 1)
    where dispute_status is null
      and exists (select 1 from disputes d where d.order_id = orders.id and d.status in (${sql.join(ORDER_STATES)}))`.execute(db);

  await db.schema
    .createTable("checkout_buckets")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("tokens", "double precision", (c) => c.notNull())
    // The allowance it refills to, per minute, as configured at its last take.
    .addColumn("per_minute", "integer", (c) => c.notNull())
    // Milliseconds since the epoch: past 32 bits, so bigint (SQLite stores it the same either way).
    .addColumn("at", "bigint", (c) => c.notNull())
    .modifyEnd(keyedTable(db))
    .execute();
}
