/**
 * Revenue over HTTP: an event's and an organization's reports (JSON or CSV), an event's
 * orders with what each can still refund, organizer refunds, the buyer's receipt and
 * self-service cancellation (a guest's with their order link's key, under /api/guest-orders).
 * Platform-wide reports and commission rates: admin-routes.ts.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { Actor } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { organizationResource } from "../organizations/routes.ts";
import { can } from "../accounts/policy.ts";
import { callerActor, guestKeyInput, type OrderCaller } from "../ticketing/guest-links.ts";
import { receiptFor } from "./receipts.ts";
import { type RefundDeps, refundableOf, requestRefund } from "./refunds.ts";
import { type RevenueReport, reportCsv, revenueReport } from "./reports.ts";
import { cancellationQuote, cancelOwnOrder } from "./self-service.ts";

const id = z.uuid("Not a valid id");
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD");
export const reportQuery = z.strictObject({
  group: z.enum(["day", "week", "month"]).default("day"),
  from: day.optional(),
  to: day.optional(),
  format: z.enum(["json", "csv"]).default("json"),
});
const ordersQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const refundBody = z.strictObject({
  ticketIds: z.array(id).min(1).max(500).optional(),
  amount: z.number().int("Use minor units").positive("Refund more than nothing").optional(),
  reason: z.string().trim().min(1, "Say why").max(500),
});

export type RevenueDeps = RefundDeps & { db: Kysely<DB> };

/** Sends a report as JSON, or as a CSV download named after what it covers. */
export function sendReport(reply: FastifyReply, report: RevenueReport, format: "json" | "csv", name: string) {
  if (format === "json") return reply.send({ report });
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="revenue-${name}-${report.group}.csv"`)
    .send(reportCsv(report));
}

/** The order and the event it belongs to, authorized for the action on that event. */
async function orderForTeam(db: Kysely<DB>, actor: Actor, action: string, orderId: string) {
  const order = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  if (!order) throw AppError.notFound("No such order");
  try {
    await authorizeEvent(db, actor, action, order.event_id);
  } catch (error) {
    // Whoever may not see the event's orders learns nothing about this one.
    if (error instanceof AppError && error.status === 404) throw AppError.notFound("No such order");
    throw error;
  }
  return order;
}

export function revenueRoutes(app: FastifyInstance, deps: RevenueDeps) {
  const { db } = deps;

  app.get("/api/events/:id/revenue", { config: { action: "revenue.read" } }, async (request, reply) => {
    const params = parseBody(z.object({ id }), request.params);
    const query = parseBody(reportQuery, request.query);
    await authorizeEvent(db, request.actor, "revenue.read", params.id);
    return sendReport(reply, await revenueReport(db, { eventId: params.id }, query), query.format, `event-${params.id.slice(0, 8)}`);
  });

  // Cardholders' disputes of the event's orders, newest first, with where each stands and
  // the provider's dispute fees: the order's provider fees other than its payment's own (a
  // payment is disputed once), net of any the provider gave back, per currency the provider
  // stated them in (its settlement currency, which may not be the dispute's).
  app.get("/api/events/:id/revenue/disputes", { config: { action: "revenue.read" } }, async (request) => {
    const params = parseBody(z.object({ id }), request.params);
    await authorizeEvent(db, request.actor, "revenue.read", params.id);
    const rows = await db
      .selectFrom("disputes")
      .innerJoin("orders", "orders.id", "disputes.order_id")
      .select(["disputes.id", "disputes.order_id", "orders.buyer_name", "orders.buyer_email", "disputes.amount", "disputes.currency", "disputes.status", "disputes.reason", "disputes.created_at", "disputes.updated_at"])
      .where("orders.event_id", "=", params.id)
      .orderBy("disputes.created_at", "desc")
      .limit(500)
      .execute();
    const orderIds = [...new Set(rows.map((r) => r.order_id).filter((o) => o !== null))];
    const fees = orderIds.length === 0 ? [] : await db
      .selectFrom("ledger_entries")
      .innerJoin("orders", "orders.id", "ledger_entries.order_id")
      .select(["ledger_entries.order_id", "ledger_entries.currency", sql<number>`-sum(ledger_entries.amount)`.as("amount")])
      .where("ledger_entries.order_id", "in", orderIds)
      .where("ledger_entries.kind", "=", "provider_fee")
      .where((w) => w.or([w("orders.payment_id", "is", null), w("ledger_entries.reference", "!=", w.ref("orders.payment_id"))]))
      .groupBy(["ledger_entries.order_id", "ledger_entries.currency"])
      .orderBy("ledger_entries.currency")
      .execute();
    const feesOf = (orderId: string | null) => fees.filter((f) => f.order_id === orderId && f.amount !== 0).map((f) => ({ amount: f.amount, currency: f.currency }));
    return {
      disputes: rows.map((r) => ({
        id: r.id, orderId: r.order_id, buyer: { name: r.buyer_name, email: r.buyer_email }, amount: r.amount, currency: r.currency,
        fees: feesOf(r.order_id), status: r.status, reason: r.reason, openedAt: r.created_at, updatedAt: r.updated_at,
      })),
    };
  });

  app.get("/api/organizations/:id/revenue", { config: { action: "organization.revenue.read" } }, async (request, reply) => {
    const params = parseBody(z.object({ id }), request.params);
    const query = parseBody(reportQuery, request.query);
    const resource = await organizationResource(db, request.actor, params.id);
    if (!can(request.actor, "organization.revenue.read", resource)) {
      if (resource.role === null && request.actor.kind !== "admin") throw AppError.notFound("No such organization");
      throw AppError.forbidden("forbidden", "Only the organization's owners and admins see its revenue");
    }
    const events = await db.selectFrom("events").select(["id", "title"]).where("organization_id", "=", params.id).orderBy("starts_at", "desc").execute();
    const report = await revenueReport(db, { organizationId: params.id }, query);
    if (query.format === "csv") return sendReport(reply, report, "csv", `organization-${params.id.slice(0, 8)}`);
    return reply.send({ report, events });
  });

  app.get("/api/events/:id/revenue/orders", { config: { action: "revenue.read" } }, async (request) => {
    const params = parseBody(z.object({ id }), request.params);
    const query = parseBody(ordersQuery, request.query);
    await authorizeEvent(db, request.actor, "revenue.read", params.id);
    let select = db
      .selectFrom("orders")
      .select((eb) => [
        "orders.id",
        "orders.buyer_name",
        "orders.buyer_email",
        "orders.status",
        "orders.currency",
        "orders.total",
        "orders.refunded",
        "orders.provider",
        "orders.created_at",
        "orders.dispute_status",
        // A payment that did not match the order (payment-events.ts): shown even while the order is pending or expired.
        "orders.payment_problem",
        "orders.user_id",
        eb.selectFrom("tickets").select(eb.fn.countAll<number>().as("n")).whereRef("tickets.order_id", "=", "orders.id").as("tickets"),
        eb.selectFrom("refunds").select(eb.fn.countAll<number>().as("n")).whereRef("refunds.order_id", "=", "orders.id").where("refunds.status", "=", "pending").as("pending_refunds"),
      ])
      .where("orders.event_id", "=", params.id)
      .where((eb) => eb.or([eb("orders.status", "not in", ["pending", "expired"]), eb("orders.payment_problem", "is not", null)]));
    if (query.q) {
      const like = `%${query.q.replaceAll(/[%_\\]/g, (c) => `\\${c}`)}%`;
      select = select.where((eb) => eb.or([eb("orders.buyer_name", "like", like), eb("orders.buyer_email", "like", like), eb("orders.id", "=", query.q!)]));
    }
    const orders = await select.orderBy("orders.created_at", "desc").limit(query.limit).offset(query.offset).execute();
    return { orders };
  });

  app.get("/api/orders/:orderId/refunds", { config: { action: "revenue.read" } }, async (request) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    const order = await orderForTeam(db, request.actor, "revenue.read", params.orderId);
    const { remaining, shares } = await refundableOf(db, order);
    const tickets = await db
      .selectFrom("tickets")
      .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
      .select(["tickets.id", "tickets.holder_name", "tickets.holder_email", "tickets.status", "tickets.status_reason", "ticket_types.name as ticket_type"])
      .where("tickets.order_id", "=", order.id)
      .orderBy("tickets.created_at")
      .execute();
    const refunds = await db.selectFrom("refunds").select(["id", "amount", "status", "reason", "ticket_ids", "created_at", "settled_at"]).where("order_id", "=", order.id).orderBy("created_at").execute();
    return {
      order: { id: order.id, status: order.status, currency: order.currency, total: order.total, refunded: order.refunded, buyerName: order.buyer_name, buyerEmail: order.buyer_email },
      remaining,
      tickets: tickets.map((t) => ({ ...t, worth: shares.get(t.id) ?? 0 })),
      refunds: refunds.map((r) => ({ ...r, ticket_ids: JSON.parse(r.ticket_ids) as string[] })),
    };
  });

  app.post("/api/orders/:orderId/refunds", { config: { action: "order.refund" } }, async (request, reply) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    const body = parseBody(refundBody, request.body);
    await orderForTeam(db, request.actor, "order.refund", params.orderId);
    const result = await requestRefund(db, deps, request.actor, { orderId: params.orderId, ticketIds: body.ticketIds, amount: body.amount, reason: body.reason });
    await recordAudit(db, request.actor, request.ip, { action: "order.refund", targetType: "order", targetId: params.orderId, after: { ...body, result } });
    return reply.code(result.kind === "refund" ? 202 : 200).send({ result });
  });

  const cancellation = async (caller: OrderCaller, orderId: string) => ({ quote: await cancellationQuote(db, caller, orderId) });
  const cancel = async (caller: OrderCaller, ip: string, orderId: string, reply: FastifyReply) => {
    const { quote, result } = await cancelOwnOrder(db, deps, caller, orderId);
    const after = { fee: quote.fee, refund: quote.refund, result, ...(caller.kind === "guest" ? { by: "guest link" } : {}) };
    await recordAudit(db, callerActor(caller), ip, { action: "order.cancelSelf", targetType: "order", targetId: orderId, after });
    return reply.code(result.kind === "refund" ? 202 : 200).send({ quote, result });
  };

  app.get("/api/orders/:orderId/cancellation", { config: { action: "order.cancelSelf" } }, async (request) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    return cancellation(request.actor, params.orderId);
  });

  app.post("/api/orders/:orderId/cancel", { config: { action: "order.cancelSelf" } }, async (request, reply) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    return cancel(request.actor, request.ip, params.orderId, reply);
  });

  app.get("/api/orders/:orderId/receipt", { config: { action: "order.receipt" } }, async (request) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    return { receipt: await receiptFor(db, request.actor, params.orderId) };
  });

  // A guest's own: the key of their order link opens them; a wrong or missing key is "no such order".
  app.get("/api/guest-orders/:orderId/cancellation", { config: { action: "orders.guestRead" } }, async (request) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    const { key } = parseBody(guestKeyInput, request.query);
    return cancellation({ kind: "guest", key }, params.orderId);
  });

  app.post("/api/guest-orders/:orderId/cancel", { config: { action: "orders.guestCancel" } }, async (request, reply) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    const { key } = parseBody(guestKeyInput, request.body ?? {});
    return cancel({ kind: "guest", key }, request.ip, params.orderId, reply);
  });

  app.get("/api/guest-orders/:orderId/receipt", { config: { action: "orders.guestRead" } }, async (request) => {
    const params = parseBody(z.object({ orderId: id }), request.params);
    const { key } = parseBody(guestKeyInput, request.query);
    return { receipt: await receiptFor(db, { kind: "guest", key }, params.orderId) };
  });
}
