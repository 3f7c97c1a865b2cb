/**
 * Duplicating and cancelling events. A copy is a new draft in the same organization with
 * the agenda, speakers and ticket types (nothing sold, no team but its creator). Cancelling
 * is final: ticket holders are told by e-mail and `deps.eventCancelled` refunds the orders.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { organizationResource } from "../organizations/routes.ts";
import { authorizeEvent } from "./access.ts";
import { type EventDeps, publicBase, rescheduleEvent } from "./deps.ts";
import { eventRow, freeSlug } from "./store.ts";
import { eventView, idParams } from "./fields.ts";

const cancelInput = z.strictObject({ reason: z.string().trim().min(3, "Tell attendees why").max(2000) });

export function lifecycleRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;

  app.post("/api/organize/events/:id/duplicate", { config: { action: "event.create" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const copyId = randomUUID();
    await db.transaction().execute(async (trx) => {
      const resource = await authorizeEvent(trx, request.actor, "event.read", id);
      const org = await organizationResource(trx, request.actor, resource.organizationId);
      if (!can(request.actor, "event.create", org)) throw AppError.forbidden("forbidden", "Only owners and admins of the organization create events");
      await copyEvent(trx, id, copyId, actorUserId(request.actor)!);
      await recordAudit(trx, request.actor, request.ip, { action: "event.duplicate", targetType: "event", targetId: copyId, before: { from: id } });
    });
    return reply.code(201).send({ event: eventView(await eventRow(db, copyId)) });
  });

  app.post("/api/organize/events/:id/cancel", { config: { action: "event.cancel" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const event = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.cancel", id);
      const { reason } = parseBody(cancelInput, request.body);
      const before = await eventRow(trx, id);
      if (before.status === "cancelled") throw AppError.conflict("event_cancelled", "This event is already cancelled");
      const now = new Date().toISOString();
      await trx.updateTable("events").set({ status: "cancelled", cancelled_at: now, cancel_reason: reason, updated_at: now }).where("id", "=", id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.cancel", targetType: "event", targetId: id, before: { status: before.status }, after: { status: "cancelled", reason } });
      return eventRow(trx, id);
    });
    const holders = await db.selectFrom("tickets").select("holder_email as email").where("event_id", "=", id).where("status", "=", "valid")
      .union(db.selectFrom("orders").select("buyer_email as email").where("event_id", "=", id).where("status", "in", ["paid", "partially_refunded"]))
      .execute();
    const link = `${await publicBase(deps, request)}/tickets`;
    const startsAt = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeStyle: "long", timeZone: event.time_zone }).format(new Date(event.starts_at));
    for (const email of new Set(holders.map((h) => h.email.toLowerCase()))) {
      await deps.mailer.send(email, "event_cancelled", { eventTitle: event.title, startsAt, reason: event.cancel_reason, link });
    }
    await rescheduleEvent(deps, id);
    const refunds = (await deps.eventCancelled?.(id, request.actor)) ?? null;
    return { event: eventView(event), notified: new Set(holders.map((h) => h.email.toLowerCase())).size, refunds };
  });
}

async function copyEvent(trx: Transaction<DB>, fromId: string, copyId: string, userId: string) {
  const source = await eventRow(trx, fromId);
  const now = new Date().toISOString();
  const { id: _id, rowid: _rowid, ...fields } = source as typeof source & { rowid?: unknown };
  await trx.insertInto("events").values({
    ...fields, id: copyId, slug: await freeSlug(trx, `${source.slug}-copy`, false), title: `${source.title} (copy)`,
    // Images are files owned by one row each (deleting a row removes its file), so a copy starts without them.
    cover_path: null, status: "draft", review_comment: "", submitted_at: null, approved_at: null, cancelled_at: null, cancel_reason: "",
    created_by: userId, created_at: now, updated_at: now,
  }).execute();
  await trx.insertInto("event_team").values({ event_id: copyId, user_id: userId, role: "owner", added_by: null, created_at: now }).execute();

  const ids = new Map<string, string>();
  const fresh = (old: string) => ids.get(old) ?? (ids.set(old, randomUUID()), ids.get(old)!);
  const sessions = await trx.selectFrom("event_sessions").selectAll().where("event_id", "=", fromId).execute();
  for (const s of sessions) await trx.insertInto("event_sessions").values({ ...s, id: fresh(s.id), event_id: copyId, created_at: now, updated_at: now }).execute();
  const speakers = await trx.selectFrom("speakers").selectAll().where("event_id", "=", fromId).execute();
  for (const s of speakers) await trx.insertInto("speakers").values({ ...s, id: fresh(s.id), event_id: copyId, photo_path: null, created_at: now, updated_at: now }).execute();
  const links = await trx.selectFrom("session_speakers").innerJoin("event_sessions", "event_sessions.id", "session_speakers.session_id")
    .select(["session_id", "speaker_id"]).where("event_sessions.event_id", "=", fromId).execute();
  for (const l of links) await trx.insertInto("session_speakers").values({ session_id: fresh(l.session_id), speaker_id: fresh(l.speaker_id) }).execute();
  const types = await trx.selectFrom("ticket_types").selectAll().where("event_id", "=", fromId).execute();
  for (const t of types) await trx.insertInto("ticket_types").values({ ...t, id: fresh(t.id), event_id: copyId, held: 0, sold: 0, created_at: now, updated_at: now }).execute();
  const grants = await trx.selectFrom("ticket_type_sessions").innerJoin("ticket_types", "ticket_types.id", "ticket_type_sessions.ticket_type_id")
    .select(["ticket_type_id", "session_id"]).where("ticket_types.event_id", "=", fromId).execute();
  for (const g of grants) await trx.insertInto("ticket_type_sessions").values({ ticket_type_id: fresh(g.ticket_type_id), session_id: fresh(g.session_id) }).execute();
}
