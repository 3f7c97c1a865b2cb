/** An order as its buyer and the organizer see it: amounts, seats, tickets and the event. */
import type { Db } from "./context.ts";

export async function orderView(db: Db, orderId: string) {
  const order = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
  const event = await db.selectFrom("events").select(["id", "slug", "title", "starts_at", "ends_at", "time_zone"]).where("id", "=", order.event_id).executeTakeFirstOrThrow();
  const items = await db
    .selectFrom("order_items")
    .innerJoin("ticket_types", "ticket_types.id", "order_items.ticket_type_id")
    .leftJoin("tickets", "tickets.order_item_id", "order_items.id")
    .select([
      "order_items.id", "order_items.ticket_type_id", "ticket_types.name as ticket_type_name", "order_items.unit_amount", "order_items.discount",
      "order_items.holder_name", "order_items.holder_email", "order_items.answers", "tickets.id as ticket_id", "tickets.status as ticket_status",
    ])
    .where("order_items.order_id", "=", orderId)
    .orderBy("ticket_types.position")
    .execute();
  const pending = await db.selectFrom("refunds").select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount"), eb.lit(0)).as("amount")).where("order_id", "=", orderId).where("status", "=", "pending").executeTakeFirstOrThrow();
  return {
    id: order.id,
    status: order.status,
    buyer: { name: order.buyer_name, email: order.buyer_email },
    currency: order.currency,
    subtotal: order.subtotal,
    discount: order.discount,
    tax: order.tax,
    total: order.total,
    refunded: order.refunded,
    /** Asked for and not yet settled by the provider (the buyer's cancellation, an organizer's refund). */
    refundPending: Number(pending.amount),
    provider: order.provider,
    holdExpiresAt: order.hold_expires_at,
    createdAt: order.created_at,
    paidAt: order.paid_at,
    /** A cardholder's dispute: open, won or lost (its tickets then revoked); null when none. */
    disputeStatus: order.dispute_status,
    event: { id: event.id, slug: event.slug, title: event.title, startsAt: event.starts_at, endsAt: event.ends_at, timeZone: event.time_zone },
    seats: items.map((i) => ({
      id: i.id,
      ticketTypeId: i.ticket_type_id,
      ticketTypeName: i.ticket_type_name,
      unitAmount: i.unit_amount,
      discount: i.discount,
      holderName: i.holder_name,
      holderEmail: i.holder_email,
      answers: JSON.parse(i.answers) as Record<string, string | string[]>,
      ticket: i.ticket_id ? { id: i.ticket_id, status: i.ticket_status } : null,
    })),
  };
}

export type OrderView = Awaited<ReturnType<typeof orderView>>;
