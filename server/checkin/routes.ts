/**
 * Check-in over HTTP. Owners and co-hosts (and organization admins) set up the lists; they
 * and check-in staff scan, search and download a list for offline use (`event.checkIn`).
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import type { TicketKeys } from "../tickets/ticket-keys.ts";
import { checkTicketTypes, countsOf, listsOfEvent, loadList, offlineBundle, searchAttendees } from "./lists.ts";
import { publishCheckinCounts, registerCheckinMessages } from "./live.ts";
import { applyScans } from "./scans.ts";

const eventParams = z.object({ id: z.uuid("Not a valid id") });
const listParams = z.object({ listId: z.uuid("Not a valid id") });
const listBody = z.strictObject({
  name: z.string().trim().min(1, "Give the list a name").max(80, "Use at most 80 characters"),
  // null or absent: every ticket type of the event.
  ticketTypeIds: z.array(z.uuid("Not a valid id")).max(100).nullable().optional(),
});
const MAX_SCANS_PER_UPLOAD = 500;
const scanSchema = z.union([
  z.strictObject({ nonce: z.uuid("Not a valid nonce"), scannedAt: z.iso.datetime({ offset: true }), code: z.string().min(1).max(400) }),
  z.strictObject({ nonce: z.uuid("Not a valid nonce"), scannedAt: z.iso.datetime({ offset: true }), ticketId: z.uuid("Not a valid id") }),
]);
const scansBody = z.strictObject({
  scans: z.array(scanSchema).min(1, "Send at least one scan").max(MAX_SCANS_PER_UPLOAD, `Send at most ${MAX_SCANS_PER_UPLOAD} scans at a time`),
});
const searchQuery = z.object({ q: z.string().trim().max(100).default("") });

export function checkinRoutes(app: FastifyInstance, deps: { db: Kysely<DB>; ticketKeys: TicketKeys; fanout: Fanout; router: MessageRouter }) {
  const { db, ticketKeys } = deps;
  registerCheckinMessages(deps.router, deps);

  app.get("/api/events/:id/checkin-lists", { config: { action: "event.checkIn" } }, async (request) => {
    const { id } = parseBody(eventParams, request.params);
    await authorizeEvent(db, request.actor, "event.checkIn", id);
    const ticketTypes = await db.selectFrom("ticket_types").select(["id", "name"]).where("event_id", "=", id).orderBy("position").orderBy("name").execute();
    return { lists: await listsOfEvent(db, id), ticketTypes };
  });

  app.post("/api/events/:id/checkin-lists", { config: { action: "event.update" } }, async (request, reply) => {
    const { id } = parseBody(eventParams, request.params);
    const input = parseBody(listBody, request.body);
    const list = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.update", id);
      const ticketTypeIds = emptyToNull(input.ticketTypeIds);
      await checkTicketTypes(trx, id, ticketTypeIds);
      const now = new Date().toISOString();
      const row = { id: randomUUID(), event_id: id, name: input.name, ticket_type_ids: ticketTypeIds && JSON.stringify(ticketTypeIds), created_at: now, updated_at: now };
      await trx.insertInto("checkin_lists").values(row).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "checkin.list.create", targetType: "event", targetId: id, after: { listId: row.id, name: input.name, ticketTypeIds } });
      return { id: row.id, eventId: id, name: input.name, ticketTypeIds };
    });
    return reply.code(201).send({ list: { ...list, ...(await countsOf(db, list)) } });
  });

  app.patch("/api/checkin-lists/:listId", { config: { action: "event.update" } }, async (request) => {
    const { listId } = parseBody(listParams, request.params);
    const input = parseBody(listBody.partial(), request.body);
    const list = await db.transaction().execute(async (trx) => {
      const before = await loadList(trx, listId);
      await authorizeEvent(trx, request.actor, "event.update", before.eventId);
      const ticketTypeIds = input.ticketTypeIds === undefined ? before.ticketTypeIds : emptyToNull(input.ticketTypeIds);
      await checkTicketTypes(trx, before.eventId, ticketTypeIds);
      const name = input.name ?? before.name;
      await trx
        .updateTable("checkin_lists")
        .set({ name, ticket_type_ids: ticketTypeIds && JSON.stringify(ticketTypeIds), updated_at: new Date().toISOString() })
        .where("id", "=", listId)
        .execute();
      await recordAudit(trx, request.actor, request.ip, { action: "checkin.list.update", targetType: "event", targetId: before.eventId, before, after: { name, ticketTypeIds } });
      return { ...before, name, ticketTypeIds };
    });
    return { list: { ...list, ...(await countsOf(db, list)) } };
  });

  app.delete("/api/checkin-lists/:listId", { config: { action: "event.update" } }, async (request, reply) => {
    const { listId } = parseBody(listParams, request.params);
    await db.transaction().execute(async (trx) => {
      const list = await loadList(trx, listId);
      await authorizeEvent(trx, request.actor, "event.update", list.eventId);
      const { checkedIn } = await countsOf(trx, list);
      if (checkedIn > 0) throw AppError.conflict("list_in_use", `${checkedIn} ${checkedIn === 1 ? "person has" : "people have"} checked in on this list; it is kept as a record`);
      await trx.deleteFrom("checkin_lists").where("id", "=", listId).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "checkin.list.delete", targetType: "event", targetId: list.eventId, before: list });
    });
    return reply.code(204).send();
  });

  app.get("/api/checkin-lists/:listId/offline", { config: { action: "event.checkIn" } }, async (request) => {
    const { listId } = parseBody(listParams, request.params);
    const list = await loadList(db, listId);
    await authorizeEvent(db, request.actor, "event.checkIn", list.eventId);
    return { ...(await offlineBundle(db, list)), keys: ticketKeys.publicKeysJson().keys };
  });

  app.post("/api/checkin-lists/:listId/scans", { config: { action: "event.checkIn" } }, async (request) => {
    const { listId } = parseBody(listParams, request.params);
    const { scans } = parseBody(scansBody, request.body);
    const list = await loadList(db, listId);
    await authorizeEvent(db, request.actor, "event.checkIn", list.eventId);
    const results = await applyScans(db, list, ticketKeys.publicKeys, scans, actorUserId(request.actor));
    if (results.some((r) => r.outcome === "admitted" && !r.replay)) {
      // The scans are stored; a failed push must not turn the door's answer into an error.
      await publishCheckinCounts(deps, list.eventId).catch((error: unknown) => request.log.warn({ err: error }, "check-in counts not pushed"));
    }
    return { results, counts: await countsOf(db, list) };
  });

  app.get("/api/checkin-lists/:listId/attendees", { config: { action: "event.checkIn" } }, async (request) => {
    const { listId } = parseBody(listParams, request.params);
    const { q } = parseBody(searchQuery, request.query);
    const list = await loadList(db, listId);
    await authorizeEvent(db, request.actor, "event.checkIn", list.eventId);
    return { attendees: await searchAttendees(db, list, q), counts: await countsOf(db, list) };
  });
}

function emptyToNull(ids: string[] | null | undefined): string[] | null {
  return ids && ids.length > 0 ? [...new Set(ids)] : null;
}
