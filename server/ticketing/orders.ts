/**
 * Orders: the buyer's list and order page (which the success page polls until the webhook
 * has made the order paid), a guest's order page by its keyed link, giving up a pending
 * checkout (for both), the calendar file, and the organizer's list of an event's orders.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent, eventResource } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { eventCalendar } from "../tickets/calendar.ts";
import { ticketQrSvg } from "../tickets/ticket-qr.ts";
import { openCheckoutUrl } from "./checkout.ts";
import { publicBase, type TicketingContext } from "./context.ts";
import { calendarKeyValid, claimingEmail, guestKeyInput, isOrderBuyer, orderKeyValid } from "./guest-links.ts";
import { orderView } from "./order-view.ts";
import { endPendingCheckout } from "./pending.ts";
import { idParams } from "./ticket-types.ts";

const orderParams = z.object({ orderId: z.uuid("Not a valid id") });

/** The order if the actor bought it (or it was a guest order to their verified address) or may list its event's orders; 404 otherwise. */
async function readableOrder(db: Kysely<DB>, actor: Actor, orderId: string, action = "orders.read") {
  const order = await db.selectFrom("orders").select(["id", "user_id", "event_id", "status", "checkout_id", "buyer_email"]).where("id", "=", orderId).executeTakeFirst();
  if (!order) throw AppError.notFound("No such order");
  const buyer = await isOrderBuyer(db, actor, order);
  if (buyer) return { order, buyer };
  if (action === "orders.read" && can(actor, "orders.list", await eventResource(db, actor, order.event_id))) return { order, buyer };
  throw AppError.notFound("No such order");
}

/**
 * The buyer gives up a pending order: the provider's checkout is ended first (as when its
 * hold runs out, jobs.ts), so nobody can pay for seats that are about to go back on sale;
 * then the seats are released at once and offered to the waitlist.
 */
async function giveUpOrder(ctx: TicketingContext, order: { id: string; status: string; checkout_id: string | null }, base: string) {
  if (order.status !== "pending") throw AppError.conflict("order_not_pending", "Only an order waiting for payment can be given up; ask the organizer for a refund");
  const outcome = await endPendingCheckout(ctx, order, "cancelled", base);
  if (outcome === "paid") throw AppError.conflict("order_paid", "This order has just been paid");
  if (outcome === "processing") throw AppError.conflict("payment_processing", "The payment is being processed by your bank; it cannot be cancelled now");
}

const STATUSES = ["pending", "paid", "expired", "cancelled", "refunded", "partially_refunded"] as const;

export function orderRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;
  // Never the Host header: it is the sender's to choose (server/http/public-url.ts).
  const origin = (request: FastifyRequest) => request.server.listenUrl();
  /** A guest order opened by the key in its link (query or body); 404 for a wrong key or an account's order. */
  const guestOrder = async (id: string, input: unknown) => {
    const { key } = parseBody(guestKeyInput, input ?? {});
    const order = await db.selectFrom("orders").select(["id", "status", "user_id", "event_id", "checkout_id", "buyer_email"]).where("id", "=", id).executeTakeFirst();
    if (!order || !(await isOrderBuyer(db, { kind: "guest", key }, order))) throw AppError.notFound("No such order");
    return order;
  };

  app.get("/api/orders", { config: { action: "orders.read" } }, async (request) => {
    // Guest orders to the caller's verified address are listed as theirs.
    const email = (await claimingEmail(db, request.actor)) || "-";
    const rows = await db
      .selectFrom("orders")
      .innerJoin("events", "events.id", "orders.event_id")
      .select(["orders.id", "orders.status", "orders.total", "orders.currency", "orders.created_at", "events.id as event_id", "events.title", "events.starts_at"])
      .where((eb) => eb.or([eb("orders.user_id", "=", actorUserId(request.actor)!), eb.and([eb("orders.user_id", "is", null), eb("orders.buyer_email", "=", email)])]))
      .orderBy("orders.created_at", "desc")
      .limit(200)
      .execute();
    return { orders: rows.map((r) => ({ id: r.id, status: r.status, total: r.total, currency: r.currency, createdAt: r.created_at, event: { id: r.event_id, title: r.title, startsAt: r.starts_at } })) };
  });

  app.get("/api/orders/:orderId", { config: { action: "orders.read" } }, async (request) => {
    const { orderId: id } = parseBody(orderParams, request.params);
    const { order, buyer } = await readableOrder(db, request.actor, id);
    // `buyer`: whether the viewer may act as the buyer (pay, give up, cancel), not only read it as the organizer.
    return { order: await orderView(db, id), checkoutUrl: buyer && order.status === "pending" ? await openCheckoutUrl(ctx, id) : null, buyer };
  });

  // A guest's order page: the key from the confirmation mail (or the payment page's return link) opens it.
  app.get("/api/guest-orders/:orderId", { config: { action: "orders.guestRead" } }, async (request) => {
    const { orderId: id } = parseBody(orderParams, request.params);
    const order = await guestOrder(id, request.query);
    const tickets = await db
      .selectFrom("tickets")
      .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
      .select(["tickets.id", "tickets.status", "tickets.status_reason", "tickets.holder_name", "tickets.code", "ticket_types.name"])
      .where("tickets.order_id", "=", id)
      .orderBy("tickets.created_at")
      .execute();
    return {
      order: await orderView(db, id),
      checkoutUrl: order.status === "pending" ? await openCheckoutUrl(ctx, id) : null,
      buyer: true,
      tickets: await Promise.all(
        tickets.map(async (t) => ({ id: t.id, status: t.status, statusReason: t.status_reason, holderName: t.holder_name, ticketTypeName: t.name, qrSvg: t.status === "valid" ? await ticketQrSvg(t.code) : null })),
      ),
    };
  });

  app.post("/api/orders/:orderId/abandon", { config: { action: "orders.cancel" } }, async (request) => {
    const { orderId: id } = parseBody(orderParams, request.params);
    const { order, buyer } = await readableOrder(db, request.actor, id, "orders.cancel");
    if (!buyer) throw AppError.notFound("No such order");
    await giveUpOrder(ctx, order, origin(request));
    return { order: await orderView(db, id) };
  });

  app.post("/api/guest-orders/:orderId/abandon", { config: { action: "orders.guestCancel" } }, async (request) => {
    const { orderId: id } = parseBody(orderParams, request.params);
    await giveUpOrder(ctx, await guestOrder(id, request.body), origin(request));
    return { order: await orderView(db, id) };
  });

  const sendCalendar = async (reply: FastifyReply, request: FastifyRequest, order: { id: string; event_id: string }) => {
    const types = await db.selectFrom("order_items").select("ticket_type_id").distinct().where("order_id", "=", order.id).execute();
    const ics = await eventCalendar(db, order.event_id, types.map((t) => t.ticket_type_id), await publicBase(ctx, origin(request)));
    return reply.type("text/calendar; charset=utf-8").header("content-disposition", `attachment; filename="order-${order.id.slice(0, 8)}.ics"`).send(ics);
  };

  app.get("/api/orders/:orderId/calendar.ics", { config: { action: "orders.read" } }, async (request, reply) => {
    const { orderId: id } = parseBody(orderParams, request.params);
    const { order } = await readableOrder(db, request.actor, id);
    return sendCalendar(reply, request, order);
  });

  // A guest's order page button sends the order key; the confirmation mail's link, for any
  // buyer, the calendar key (guest-links.ts), since calendar apps fetch it without a sign-in.
  app.get("/api/guest-orders/:orderId/calendar.ics", { config: { action: "orders.guestRead" } }, async (request, reply) => {
    const { orderId: id } = parseBody(orderParams, request.params);
    const { key } = parseBody(guestKeyInput, request.query);
    const order = await db.selectFrom("orders").select(["id", "event_id", "user_id"]).where("id", "=", id).executeTakeFirst();
    const opens = !!order && ((await calendarKeyValid(db, id, key)) || (order.user_id === null && (await orderKeyValid(db, id, key))));
    if (!order || !opens) throw AppError.notFound("No such order");
    return sendCalendar(reply, request, order);
  });

  app.get("/api/events/:id/orders", { config: { action: "orders.list" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const { status } = parseBody(z.object({ status: z.enum(STATUSES).optional() }), request.query);
    await authorizeEvent(db, request.actor, "orders.list", id);
    let query = db
      .selectFrom("orders")
      .select((eb) => [
        "id", "status", "buyer_name", "buyer_email", "total", "discount", "currency", "created_at", "paid_at",
        eb.selectFrom("order_items").select((e) => e.fn.countAll<number>().as("n")).whereRef("order_items.order_id", "=", "orders.id").as("seats"),
      ])
      .where("event_id", "=", id);
    if (status) query = query.where("status", "=", status);
    const rows = await query.orderBy("created_at", "desc").limit(500).execute();
    return {
      orders: rows.map((r) => ({
        id: r.id, status: r.status, buyer: { name: r.buyer_name, email: r.buyer_email }, total: r.total, discount: r.discount,
        currency: r.currency, seats: Number(r.seats), createdAt: r.created_at, paidAt: r.paid_at,
      })),
    };
  });
}
