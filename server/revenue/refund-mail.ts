/**
 * The buyer's e-mail when a refund has settled: how much, for which event, why, and whether
 * the whole order is now refunded. Sent by a durable job (`JOB_REFUND_SETTLED_MAIL`) that the
 * settlement enqueues in its own transaction, so it goes out once even across a crash.
 */
import type { TicketingContext } from "../ticketing/context.ts";
import { publicBase } from "../ticketing/context.ts";
import { orderPagePath } from "../ticketing/guest-links.ts";
import { formatMinor } from "./reports.ts";

export async function sendRefundSettledMail(ctx: Pick<TicketingContext, "db" | "config" | "mailer">, refundId: string, fallbackBase: string): Promise<void> {
  const row = await ctx.db
    .selectFrom("refunds")
    .innerJoin("orders", "orders.id", "refunds.order_id")
    .innerJoin("events", "events.id", "orders.event_id")
    .select(["refunds.amount", "refunds.reason", "refunds.status", "orders.id as order_id", "orders.user_id", "orders.buyer_name", "orders.buyer_email", "orders.currency", "orders.status as order_status", "events.title"])
    .where("refunds.id", "=", refundId)
    .executeTakeFirst();
  if (!row || row.status !== "succeeded") return;
  const base = await publicBase(ctx, fallbackBase);
  await ctx.mailer.send(row.buyer_email, "refund_settled", {
    buyerName: row.buyer_name,
    eventTitle: row.title,
    amount: new Intl.NumberFormat("en", { style: "currency", currency: row.currency.toUpperCase() }).format(Number(formatMinor(row.amount, row.currency))),
    reason: row.reason,
    full: row.order_status === "refunded",
    // A guest's order opens only with its key.
    orderLink: `${base}${await orderPagePath(ctx.db, { id: row.order_id, user_id: row.user_id })}`,
  });
}
