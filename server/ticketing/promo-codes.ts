/**
 * Promo codes: a percentage (basis points) or a fixed amount off each seat, for some or all
 * ticket types, within dates and up to a number of orders. Codes are stored upper case and
 * matched in any case.
 *
 * Guessing is made slow two ways: new codes have at least 6 characters of [A-Z0-9_-] (36^6,
 * two billion; codes made before the rule keep working), and wrong codes are counted per
 * address and per event in database buckets (db/buckets.ts): past either limit a checkout
 * with a promo code is refused with 429 and Retry-After, the right code too.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { PromoCodesTable } from "../db/schema.ts";
import { bucketWait, takeTokens, type Bucket } from "../db/buckets.ts";
import { minutes } from "../discovery/access-codes.ts";
import { AppError, RateLimitedError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { type Db, nowIso, type TicketingContext } from "./context.ts";
import { idParams } from "./ticket-types.ts";

export type PromoCodeRow = Selectable<PromoCodesTable>;

const isoDate = z.iso.datetime({ offset: true, message: "Use an ISO date and time" }).transform((s) => new Date(s).toISOString());

/** Shortest new code: 36^6 (two billion) possibilities against the guessing limits below. */
export const PROMO_CODE_MIN_LENGTH = 6;
/** Wrong codes an address may send in a row, then one more every 6 minutes. */
export const MAX_WRONG_PROMO_CODES_PER_IP = 10;
/** Wrong codes an event takes from all addresses together, then one more every 72 seconds. */
export const MAX_WRONG_PROMO_CODES_PER_EVENT = 50;

const promoInput = z
  .strictObject({
    code: z
      .string()
      .trim()
      .toUpperCase()
      .min(PROMO_CODE_MIN_LENGTH, `Use at least ${PROMO_CODE_MIN_LENGTH} characters, so the code cannot be guessed`)
      .max(40, "Use at most 40 characters")
      .regex(/^[A-Z0-9_-]*$/, "Use only letters, digits, dashes or underscores"),
    kind: z.enum(["percent", "amount"]),
    value: z.number().int().min(1),
    maxUses: z.number().int().min(1).nullable().default(null),
    validFrom: isoDate.nullable().default(null),
    validUntil: isoDate.nullable().default(null),
    ticketTypeIds: z.array(z.uuid()).max(200).nullable().default(null),
  })
  .refine((p) => p.kind !== "percent" || p.value <= 10_000, { path: ["value"], message: "A percentage is at most 10000 basis points (100 %)" });

export function promoOut(row: PromoCodeRow) {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    value: row.value,
    maxUses: row.max_uses,
    used: row.used,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    ticketTypeIds: row.ticket_type_ids ? (JSON.parse(row.ticket_type_ids) as string[]) : null,
  };
}

/** The discount a promo code gives on one seat of a type (0 when it does not apply to the type). */
export function seatDiscount(promo: PromoCodeRow, ticketTypeId: string, unitAmount: number): number {
  const types = promo.ticket_type_ids ? (JSON.parse(promo.ticket_type_ids) as string[]) : null;
  if (types && !types.includes(ticketTypeId)) return 0;
  const off = promo.kind === "percent" ? Math.round((unitAmount * promo.value) / 10_000) : promo.value;
  return Math.min(unitAmount, off);
}

/** A promo code that is not one of the event's (or not valid now): a wrong guess. */
export class PromoCodeInvalid extends AppError {
  constructor() {
    super("validation_failed", 400, "Some fields are not valid", [{ path: "promoCode", message: "This code is not valid for this event" }]);
  }
}

const promoBuckets = (ip: string, eventId: string): Bucket[] => [
  { key: `promo:ip:${ip}`, capacity: MAX_WRONG_PROMO_CODES_PER_IP, perMinute: MAX_WRONG_PROMO_CODES_PER_IP / 60 },
  { key: `promo:event:${eventId}`, capacity: MAX_WRONG_PROMO_CODES_PER_EVENT, perMinute: MAX_WRONG_PROMO_CODES_PER_EVENT / 60 },
];

/** Wrong promo codes per address and per event; checked before a code is, counted after a wrong one. */
export const promoCodeGuard = {
  /** Throws 429 (with Retry-After) while the address or the event is paused. */
  async assertMayTry(db: Db, ip: string, eventId: string): Promise<void> {
    const seconds = await bucketWait(db, promoBuckets(ip, eventId));
    if (seconds > 0) throw new RateLimitedError(`Too many wrong promo codes; try again in ${minutes(seconds)}`, seconds);
  },

  async wrong(db: Db, ip: string, eventId: string): Promise<void> {
    await takeTokens(db, promoBuckets(ip, eventId));
  },
};

/** Takes one use of a code for an order, in the order's transaction; throws when it cannot be used now. */
export async function usePromoCode(db: Db, eventId: string, code: string, at: string): Promise<PromoCodeRow> {
  const row = await db.selectFrom("promo_codes").selectAll().where("event_id", "=", eventId).where("code", "=", code.trim().toUpperCase()).executeTakeFirst();
  if (!row || (row.valid_from && at < row.valid_from) || (row.valid_until && at > row.valid_until)) throw new PromoCodeInvalid();
  const taken = await db
    .updateTable("promo_codes")
    .set((eb) => ({ used: eb("used", "+", 1) }))
    .where("id", "=", row.id)
    .where((eb) => eb.or([eb("max_uses", "is", null), eb("used", "<", eb.ref("max_uses"))]))
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "promoCode", message: "This code has been used up" }]);
  return row;
}

export function promoCodeRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;

  app.get("/api/events/:id/promo-codes", { config: { action: "ticketing.manage" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "ticketing.manage", id);
    const rows = await db.selectFrom("promo_codes").selectAll().where("event_id", "=", id).orderBy("created_at").execute();
    return { promoCodes: rows.map(promoOut) };
  });

  app.post("/api/events/:id/promo-codes", { config: { action: "ticketing.manage" } }, async (request, reply) => {
    const { id: eventId } = parseBody(idParams, request.params);
    const input = parseBody(promoInput, request.body);
    const row = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "ticketing.manage", eventId);
      if (input.ticketTypeIds?.length) {
        const found = await trx.selectFrom("ticket_types").select("id").where("event_id", "=", eventId).where("id", "in", input.ticketTypeIds).execute();
        if (found.length !== new Set(input.ticketTypeIds).size) throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "ticketTypeIds", message: "Not a ticket type of this event" }]);
      }
      const taken = await trx.selectFrom("promo_codes").select("id").where("event_id", "=", eventId).where("code", "=", input.code).executeTakeFirst();
      if (taken) throw AppError.conflict("promo_code_taken", "This event already has that code");
      return trx
        .insertInto("promo_codes")
        .values({
          id: randomUUID(), event_id: eventId, code: input.code, kind: input.kind, value: input.value, max_uses: input.maxUses,
          valid_from: input.validFrom, valid_until: input.validUntil, ticket_type_ids: input.ticketTypeIds ? JSON.stringify(input.ticketTypeIds) : null,
          created_at: nowIso(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return reply.code(201).send({ promoCode: promoOut(row) });
  });

  app.delete("/api/promo-codes/:id", { config: { action: "ticketing.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("promo_codes").select("event_id").where("id", "=", id).executeTakeFirst();
      if (!row) throw AppError.notFound("No such promo code");
      await authorizeEvent(trx, request.actor, "ticketing.manage", row.event_id);
      // Orders keep their discount; the reference goes (ON DELETE SET NULL).
      await trx.deleteFrom("promo_codes").where("id", "=", id).execute();
    });
    return reply.code(204).send();
  });
}
