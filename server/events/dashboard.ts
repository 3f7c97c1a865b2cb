/**
 * The event dashboard every team member sees: sales, registrations, check-ins, sessions live
 * now, and recent activity from the audit log (who changed what).
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { eventCheckIns } from "../checkin/lists.ts";
import { parseBody } from "../http/validate.ts";
import { authorizeEvent } from "./access.ts";
import type { EventDeps } from "./deps.ts";
import { eventRow } from "./store.ts";
import { idParams } from "./fields.ts";

const SOLD = ["paid", "partially_refunded", "refunded"] as const;

export function dashboardRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;
  app.get("/api/organize/events/:id/dashboard", { config: { action: "event.read" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "event.read", id);
    const event = await eventRow(db, id);
    const now = new Date().toISOString();
    const [sales, tickets, types, live, activity, checkIns] = await Promise.all([
      db.selectFrom("orders")
        .select((e) => [e.fn.countAll<number>().as("orders"), e.fn.coalesce(e.fn.sum<number>("total"), sql<number>`0`).as("gross"), e.fn.coalesce(e.fn.sum<number>("refunded"), sql<number>`0`).as("refunded")])
        .where("event_id", "=", id).where("status", "in", SOLD).executeTakeFirstOrThrow(),
      db.selectFrom("tickets").select((e) => [e.fn.countAll<number>().as("valid")]).where("event_id", "=", id).where("status", "=", "valid").executeTakeFirstOrThrow(),
      db.selectFrom("ticket_types").select(["id", "name", "quantity", "sold", "held"]).where("event_id", "=", id).orderBy("position").execute(),
      db.selectFrom("event_sessions").select(["id", "title", "starts_at", "ends_at", "track"]).where("event_id", "=", id)
        .where("starts_at", "<=", now).where("ends_at", ">", now).where("live_room", "=", 1).orderBy("starts_at").execute(),
      db.selectFrom("audit_log").leftJoin("users", "users.id", "audit_log.actor_id")
        .select(["audit_log.id", "audit_log.at", "audit_log.action", "audit_log.before", "audit_log.after", "users.display_name"])
        .where("audit_log.target_id", "=", id).orderBy("audit_log.at", "desc").orderBy("audit_log.id").limit(50).execute(),
      eventCheckIns(db, id),
    ]);
    return {
      currency: event.currency,
      sales: { orders: Number(sales.orders), gross: Number(sales.gross), refunded: Number(sales.refunded), net: Number(sales.gross) - Number(sales.refunded) },
      registrations: Number(tickets.valid),
      capacity: event.capacity,
      ticketTypes: types.map((t) => ({ id: t.id, name: t.name, quantity: t.quantity, sold: t.sold, held: t.held })),
      checkIns,
      liveSessions: live.map((s) => ({ id: s.id, title: s.title, startsAt: s.starts_at, endsAt: s.ends_at, track: s.track })),
      activity: activity.map((a) => ({
        id: a.id, at: a.at, action: a.action, by: a.display_name,
        before: a.before === null ? null : JSON.parse(a.before), after: a.after === null ? null : JSON.parse(a.after),
      })),
    };
  });
}
