/**
 * The confirmation mail of a completed order, sent by a durable job: each ticket's QR image
 * (PNG, which mail clients show), the link to the order page, and the calendar file both
 * linked and attached (text/calendar), so a mail client offers "add to calendar" at once.
 */
import type { TicketingContext } from "../ticketing/context.ts";
import { publicBase } from "../ticketing/context.ts";
import { calendarPath, orderPagePath } from "../ticketing/guest-links.ts";
import { eventCalendar } from "./calendar.ts";
import { formatShortCode } from "./short-code.ts";
import { ticketQrPngDataUrl } from "./ticket-qr.ts";

export async function sendConfirmation(ctx: TicketingContext, orderId: string, fallbackBase: string): Promise<void> {
  const { db } = ctx;
  const order = await db
    .selectFrom("orders")
    .innerJoin("events", "events.id", "orders.event_id")
    .select(["orders.id", "orders.user_id", "orders.event_id", "orders.buyer_name", "orders.buyer_email", "events.title", "events.starts_at", "events.time_zone"])
    .where("orders.id", "=", orderId)
    .executeTakeFirst();
  if (!order) return;
  const tickets = await db
    .selectFrom("tickets")
    .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
    .select(["tickets.holder_name", "tickets.code", "tickets.short_code", "ticket_types.name", "tickets.ticket_type_id"])
    .where("tickets.order_id", "=", orderId)
    .where("tickets.status", "=", "valid")
    .execute();
  const base = await publicBase(ctx, fallbackBase);
  const calendar = await eventCalendar(db, order.event_id, [...new Set(tickets.map((t) => t.ticket_type_id))], base);
  const when = `${new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeStyle: "short", timeZone: order.time_zone }).format(new Date(order.starts_at))} (${order.time_zone})`;
  await ctx.mailer.send(order.buyer_email, "order_confirmation", {
    buyerName: order.buyer_name,
    eventTitle: order.title,
    when,
    orderLink: `${base}${await orderPagePath(db, order)}`,
    // A guest has no sign-in: their link carries a key that opens the calendar and nothing else.
    calendarLink: `${base}${await calendarPath(db, order.id)}`,
    tickets: await Promise.all(tickets.map(async (t) => ({ holderName: t.holder_name, typeName: t.name, shortCode: t.short_code ? formatShortCode(t.short_code) : null, qrPng: await ticketQrPngDataUrl(t.code, 4) }))),
  }, { attachments: [{ filename: "event.ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH", content: calendar }] });
}
