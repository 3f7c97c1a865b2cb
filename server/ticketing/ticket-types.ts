/**
 * Ticket types, the organizer's side: what is sold, at what price, how many, when, to whom
 * (hidden types need an access code) and which sessions each grants. Money is minor units
 * in the event's currency; a type's quantity never drops below what is sold and held.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Selectable } from "kysely";
import { z } from "zod";
import { recordAudit } from "../accounts/audit.ts";
import type { TicketTypesTable } from "../db/schema.ts";
import { AppError, type FieldProblem, fieldProblems } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { type Db, nowIso, secretHash, type TicketingContext } from "./context.ts";

export type TicketTypeRow = Selectable<TicketTypesTable>;

export const idParams = z.object({ id: z.uuid("Not a valid id") });
const isoDate = z.iso.datetime({ offset: true, message: "Use an ISO date and time" }).transform((s) => new Date(s).toISOString());

/** The fields an organizer sets; a type's currency is its event's, the counts are the server's. */
const ticketTypeFields = {
  name: z.string().trim().min(1, "Give it a name").max(120, "Use at most 120 characters"),
  description: z.string().trim().max(2_000, "Use at most 2000 characters"),
  price: z.number().int("Use whole minor units (cents)").min(0).max(100_000_000),
  quantity: z.number().int().min(0).max(1_000_000),
  saleStartsAt: isoDate.nullable(),
  saleEndsAt: isoDate.nullable(),
  minPerOrder: z.number().int().min(1).max(100),
  maxPerOrder: z.number().int().min(1).max(100),
  hidden: z.boolean(),
  /** Opens this hidden type (besides the event's own access code); null removes it, absent keeps it. */
  accessCode: z.string().trim().min(4, "Use at least 4 characters").max(64).nullable(),
  /** Sessions this type grants; empty: every session of the event. */
  sessionIds: z.array(z.uuid()).max(500),
  position: z.number().int().min(0).max(10_000),
};

const ticketTypeCreate = z.strictObject({
  ...ticketTypeFields,
  description: ticketTypeFields.description.default(""),
  saleStartsAt: ticketTypeFields.saleStartsAt.default(null),
  saleEndsAt: ticketTypeFields.saleEndsAt.default(null),
  minPerOrder: ticketTypeFields.minPerOrder.default(1),
  maxPerOrder: ticketTypeFields.maxPerOrder.default(10),
  hidden: ticketTypeFields.hidden.default(false),
  accessCode: ticketTypeFields.accessCode.optional(),
  sessionIds: ticketTypeFields.sessionIds.default([]),
  position: ticketTypeFields.position.default(0),
});

/** An edit names only what changes; every field left out keeps its value. */
const ticketTypePatch = z.strictObject(ticketTypeFields).partial();
type TicketTypePatch = z.infer<typeof ticketTypePatch>;

/** What a client may read but not write, with the reason it is refused (a script that sends back what it read learns why). */
const READ_ONLY: Record<string, string> = {
  currency: "The currency is the event's: change it on the event",
  id: "Read-only", eventId: "Read-only", sold: "Read-only", held: "Read-only", available: "Read-only", hasAccessCode: "Read-only: send accessCode to set or remove it",
};

/** Validates a ticket type body; an unknown or read-only field is reported under its own name. */
function parseTypeBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const unknown = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys" ? issue.keys.map((key) => ({ path: key, message: READ_ONLY[key] ?? "Not a field of a ticket type" })) : [],
  );
  const others = fieldProblems(new z.ZodError(parsed.error.issues.filter((issue) => issue.code !== "unrecognized_keys")));
  throw new AppError("validation_failed", 400, "Some fields are not valid", [...unknown, ...others]);
}

/** Rules across fields, checked on the type as it would be once saved. */
function crossFieldProblems(t: { minPerOrder: number; maxPerOrder: number; saleStartsAt: string | null; saleEndsAt: string | null }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (t.minPerOrder > t.maxPerOrder) problems.push({ path: "maxPerOrder", message: "Must be at least the minimum per order" });
  if (t.saleStartsAt && t.saleEndsAt && t.saleStartsAt >= t.saleEndsAt) problems.push({ path: "saleEndsAt", message: "Sales must end after they start" });
  return problems;
}

/** The columns a patch sets. */
function patchColumns(input: TicketTypePatch) {
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.price !== undefined ? { price: input.price } : {}),
    ...(input.quantity !== undefined ? { quantity: input.quantity } : {}),
    ...(input.saleStartsAt !== undefined ? { sale_starts_at: input.saleStartsAt } : {}),
    ...(input.saleEndsAt !== undefined ? { sale_ends_at: input.saleEndsAt } : {}),
    ...(input.minPerOrder !== undefined ? { min_per_order: input.minPerOrder } : {}),
    ...(input.maxPerOrder !== undefined ? { max_per_order: input.maxPerOrder } : {}),
    ...(input.hidden !== undefined ? { hidden: input.hidden ? 1 : 0 } : {}),
    ...(input.accessCode !== undefined ? { access_code_hash: input.accessCode ? secretHash(input.accessCode) : null } : {}),
    ...(input.position !== undefined ? { position: input.position } : {}),
  };
}

/** The patched fields as they read before and after, for the audit log (an access code only as whether there is one). */
function changeOf(view: TicketTypeOut, input: TicketTypePatch): Record<string, unknown> {
  const keys = Object.keys(input).map((key) => (key === "accessCode" ? "hasAccessCode" : key)) as (keyof TicketTypeOut)[];
  return { ticketTypeId: view.id, name: view.name, ...Object.fromEntries(keys.map((key) => [key, view[key]])) };
}

export type TicketTypeOut = ReturnType<typeof ticketTypeOut>;

export function ticketTypeOut(row: TicketTypeRow, sessionIds: string[]) {
  return {
    id: row.id,
    eventId: row.event_id,
    name: row.name,
    description: row.description,
    price: row.price,
    currency: row.currency,
    quantity: row.quantity,
    sold: row.sold,
    held: row.held,
    available: Math.max(0, row.quantity - row.sold - row.held),
    saleStartsAt: row.sale_starts_at,
    saleEndsAt: row.sale_ends_at,
    minPerOrder: row.min_per_order,
    maxPerOrder: row.max_per_order,
    hidden: row.hidden === 1,
    hasAccessCode: row.access_code_hash !== null,
    sessionIds,
    position: row.position,
  };
}

/** Session ids granted per ticket type (empty: all sessions). */
export async function sessionsByType(db: Db, typeIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(typeIds.map((id) => [id, []]));
  if (typeIds.length === 0) return map;
  const rows = await db.selectFrom("ticket_type_sessions").selectAll().where("ticket_type_id", "in", typeIds).execute();
  for (const row of rows) map.get(row.ticket_type_id)?.push(row.session_id);
  return map;
}

async function setSessions(db: Db, eventId: string, typeId: string, sessionIds: string[]) {
  const unique = [...new Set(sessionIds)];
  if (unique.length > 0) {
    const found = await db.selectFrom("event_sessions").select("id").where("event_id", "=", eventId).where("id", "in", unique).execute();
    if (found.length !== unique.length) throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "sessionIds", message: "Not a session of this event" }]);
  }
  await db.deleteFrom("ticket_type_sessions").where("ticket_type_id", "=", typeId).execute();
  if (unique.length > 0) await db.insertInto("ticket_type_sessions").values(unique.map((session_id) => ({ ticket_type_id: typeId, session_id }))).execute();
}

/** The type and its event; 404 when either is unknown to the caller. */
async function loadType(db: Db, id: string): Promise<TicketTypeRow> {
  const row = await db.selectFrom("ticket_types").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw AppError.notFound("No such ticket type");
  return row;
}

export function ticketTypeRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;

  app.get("/api/events/:id/ticket-types", { config: { action: "ticketing.manage" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "ticketing.manage", id);
    const rows = await db.selectFrom("ticket_types").selectAll().where("event_id", "=", id).orderBy("position").orderBy("created_at").execute();
    const sessions = await sessionsByType(db, rows.map((r) => r.id));
    return { ticketTypes: rows.map((r) => ticketTypeOut(r, sessions.get(r.id) ?? [])) };
  });

  app.post("/api/events/:id/ticket-types", { config: { action: "ticketing.manage" } }, async (request, reply) => {
    const { id: eventId } = parseBody(idParams, request.params);
    const input = parseTypeBody(ticketTypeCreate, request.body);
    const problems = crossFieldProblems(input);
    if (problems.length > 0) throw new AppError("validation_failed", 400, "Some fields are not valid", problems);
    const created = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "ticketing.manage", eventId);
      if (input.price > 0 && !ctx.provider) throw AppError.conflict("payments_disabled", "Paid tickets need a payment provider; this server sells free tickets only");
      const event = await trx.selectFrom("events").select("currency").where("id", "=", eventId).executeTakeFirstOrThrow();
      const now = nowIso();
      const row = await trx
        .insertInto("ticket_types")
        .values({
          id: randomUUID(), event_id: eventId, name: input.name, description: input.description, price: input.price, currency: event.currency,
          quantity: input.quantity, sale_starts_at: input.saleStartsAt, sale_ends_at: input.saleEndsAt, min_per_order: input.minPerOrder,
          max_per_order: input.maxPerOrder, hidden: input.hidden ? 1 : 0, access_code_hash: input.accessCode ? secretHash(input.accessCode) : null,
          position: input.position, created_at: now, updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await setSessions(trx, eventId, row.id, input.sessionIds);
      await recordAudit(trx, request.actor, request.ip, { action: "ticketing.type.create", targetType: "event", targetId: eventId, after: { ticketTypeId: row.id, name: row.name } });
      return ticketTypeOut(row, [...new Set(input.sessionIds)]);
    });
    return reply.code(201).send({ ticketType: created });
  });

  // PATCH, not PUT: a script or form that sends only what it changes must not reset the rest.
  app.patch("/api/ticket-types/:id", { config: { action: "ticketing.manage" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseTypeBody(ticketTypePatch, request.body);
    return db.transaction().execute(async (trx) => {
      const before = await loadType(trx, id);
      await authorizeEvent(trx, request.actor, "ticketing.manage", before.event_id);
      const beforeView = ticketTypeOut(before, (await sessionsByType(trx, [id])).get(id) ?? []);
      // An empty edit changes nothing (and logs nothing): the answer is the type as it stands.
      if (Object.keys(input).length === 0) return { ticketType: beforeView };
      const taken = before.sold + before.held;
      if (input.quantity !== undefined && input.quantity < taken) {
        throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "quantity", message: `${taken} are sold or held; the quantity cannot be lower` }]);
      }
      const problems = crossFieldProblems({
        minPerOrder: input.minPerOrder ?? before.min_per_order, maxPerOrder: input.maxPerOrder ?? before.max_per_order,
        saleStartsAt: input.saleStartsAt !== undefined ? input.saleStartsAt : before.sale_starts_at, saleEndsAt: input.saleEndsAt !== undefined ? input.saleEndsAt : before.sale_ends_at,
      });
      if (problems.length > 0) throw new AppError("validation_failed", 400, "Some fields are not valid", problems);
      const repriced = input.price !== undefined && input.price !== before.price;
      if (repriced && taken > 0) throw AppError.conflict("price_locked", "The price cannot change once tickets are sold or held");
      if (repriced && input.price! > 0 && !ctx.provider) throw AppError.conflict("payments_disabled", "Paid tickets need a payment provider; this server sells free tickets only");
      const row = await trx.updateTable("ticket_types").set({ ...patchColumns(input), updated_at: nowIso() }).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
      if (input.sessionIds !== undefined) await setSessions(trx, before.event_id, id, input.sessionIds);
      const after = ticketTypeOut(row, input.sessionIds !== undefined ? [...new Set(input.sessionIds)] : beforeView.sessionIds);
      await recordAudit(trx, request.actor, request.ip, {
        action: "ticketing.type.update", targetType: "event", targetId: before.event_id, before: changeOf(beforeView, input), after: changeOf(after, input),
      });
      return { ticketType: after };
    });
  });

  app.delete("/api/ticket-types/:id", { config: { action: "ticketing.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    await db.transaction().execute(async (trx) => {
      const row = await loadType(trx, id);
      await authorizeEvent(trx, request.actor, "ticketing.manage", row.event_id);
      const ordered = await trx.selectFrom("order_items").select("id").where("ticket_type_id", "=", id).executeTakeFirst();
      if (ordered || row.sold + row.held > 0) throw AppError.conflict("ticket_type_in_use", "This ticket type has orders; set its quantity to what is sold to stop selling it");
      await trx.deleteFrom("ticket_types").where("id", "=", id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "ticketing.type.delete", targetType: "event", targetId: row.event_id, before: { ticketTypeId: id, name: row.name } });
    });
    return reply.code(204).send();
  });
}

