/**
 * An order's receipt (an invoice when the organization gives a VAT id): the seller's legal
 * details, the buyer, one line per seat, the discount, the VAT line (the event's rate,
 * included in the prices or added to them), the total, and the refunds made since. The
 * client prints it (client/src/pages/orders/ReceiptPage.tsx); the buyer and the event's
 * revenue team may read it; a guest buyer opens it with their order link's key.
 */
import type { Kysely } from "kysely";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { eventResource } from "../events/access.ts";
import { isOrderBuyer, type OrderCaller } from "../ticketing/guest-links.ts";
import { vatOf } from "./amounts.ts";

export type Receipt = {
  number: string;
  seller: { name: string; legalAddress: string; vatId: string; contactEmail: string | null };
  buyer: { name: string; email: string };
  event: { id: string; title: string; startsAt: string; timeZone: string };
  order: { id: string; status: string; currency: string; createdAt: string; paidAt: string | null };
  lines: { description: string; holder: string; unitAmount: number; discount: number; amount: number; status: string }[];
  subtotal: number;
  discount: number;
  tax: { rateBp: number; inclusive: boolean; amount: number };
  total: number;
  refunds: { amount: number; reason: string; settledAt: string | null }[];
  refunded: number;
};

/** A short number printed on the receipt, stable for the order. */
export function receiptNumber(orderId: string, createdAt: string): string {
  return `${createdAt.slice(0, 10).replaceAll("-", "")}-${orderId.replaceAll("-", "").slice(0, 8).toUpperCase()}`;
}

export async function receiptFor(db: Kysely<DB>, caller: OrderCaller, orderId: string): Promise<Receipt> {
  const order = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order) throw AppError.notFound("No such order");
  if (!(await isOrderBuyer(db, caller, order))) {
    // A wrong key gets what a missing order gets; the team reads receipts signed in.
    if (caller.kind === "guest" || !can(caller, "revenue.read", await eventResource(db, caller, order.event_id))) throw AppError.notFound("No such order");
  }
  // Never paid: waiting, expired, or given up by the buyer (cancelled with no payment).
  if (!order.paid_at) throw AppError.conflict("order_not_paid", "A receipt exists once the order is paid");

  const event = await db
    .selectFrom("events")
    .innerJoin("organizations", "organizations.id", "events.organization_id")
    .select(["events.id", "events.title", "events.starts_at", "events.time_zone", "organizations.name", "organizations.legal_address", "organizations.vat_id", "organizations.contact_email"])
    .where("events.id", "=", order.event_id)
    .executeTakeFirstOrThrow();
  const items = await db
    .selectFrom("order_items")
    .innerJoin("ticket_types", "ticket_types.id", "order_items.ticket_type_id")
    .leftJoin("tickets", "tickets.order_item_id", "order_items.id")
    .select(["ticket_types.name", "order_items.holder_name", "order_items.unit_amount", "order_items.discount", "tickets.status"])
    .where("order_items.order_id", "=", order.id)
    .orderBy("order_items.id")
    .execute();
  const refunds = await db.selectFrom("refunds").select(["amount", "reason", "settled_at"]).where("order_id", "=", order.id).where("status", "=", "succeeded").orderBy("settled_at").execute();

  const inclusive = order.vat_inclusive === 1;
  const taxed = order.subtotal - order.discount;
  // The order flow stores the tax it charged; older or untaxed orders get it worked out here.
  const tax = order.tax > 0 ? order.tax : vatOf(taxed, order.vat_rate_bp, inclusive);
  return {
    number: receiptNumber(order.id, order.created_at),
    seller: { name: event.name, legalAddress: event.legal_address, vatId: event.vat_id, contactEmail: event.contact_email },
    buyer: { name: order.buyer_name, email: order.buyer_email },
    event: { id: event.id, title: event.title, startsAt: event.starts_at, timeZone: event.time_zone },
    order: { id: order.id, status: order.status, currency: order.currency, createdAt: order.created_at, paidAt: order.paid_at },
    lines: items.map((i) => ({ description: i.name, holder: i.holder_name, unitAmount: i.unit_amount, discount: i.discount, amount: i.unit_amount - i.discount, status: i.status ?? "valid" })),
    subtotal: order.subtotal,
    discount: order.discount,
    tax: { rateBp: order.vat_rate_bp, inclusive, amount: tax },
    total: order.total,
    refunds: refunds.map((r) => ({ amount: r.amount, reason: r.reason, settledAt: r.settled_at })),
    refunded: order.refunded,
  };
}
