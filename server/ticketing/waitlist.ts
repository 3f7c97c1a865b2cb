/**
 * The waitlist of a sold-out ticket type. When seats come back (a checkout ran out, a buyer
 * gave up, an offer lapsed) they go to the longest-waiting people in turn: each offer holds
 * one seat for OFFER_MINUTES behind a single-use claim link, and lapses to the next person.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { nowIso, publicBase, secretHash, type TicketingContext } from "./context.ts";
import { enqueueIn, JOB_OFFER_EXPIRY } from "./fulfil.ts";
import { guardAccessCode, visibleEvent } from "./offer.ts";
import { releaseHeld, takeSeats } from "./seats.ts";
import { idParams } from "./ticket-types.ts";

/** How long an offered seat waits for its claim. */
export const OFFER_MINUTES = 120;

export type WaitlistOffer = { entryId: string; email: string; token: string; eventSlug: string; eventTitle: string; typeName: string; expiresAt: string };

/** Offers every free seat of a type to the waitlist, one seat per person, oldest first. */
export async function offerReleasedSeats(trx: Transaction<DB>, _ctx: TicketingContext, ticketTypeId: string): Promise<WaitlistOffer[]> {
  const offers: WaitlistOffer[] = [];
  for (;;) {
    const next = await trx
      .selectFrom("waitlist_entries")
      .innerJoin("ticket_types", "ticket_types.id", "waitlist_entries.ticket_type_id")
      .innerJoin("events", "events.id", "waitlist_entries.event_id")
      .select(["waitlist_entries.id", "waitlist_entries.email", "events.slug", "events.title", "ticket_types.name"])
      .where("waitlist_entries.ticket_type_id", "=", ticketTypeId)
      .where("waitlist_entries.status", "=", "waiting")
      .orderBy("waitlist_entries.created_at")
      .limit(1)
      .executeTakeFirst();
    if (!next || !(await takeSeats(trx, ticketTypeId, 1, "held"))) return offers;
    const token = randomBytes(24).toString("base64url");
    const expiresAt = new Date(Date.now() + OFFER_MINUTES * 60_000);
    await trx
      .updateTable("waitlist_entries")
      .set({ status: "offered", offer_token_hash: secretHash(token), offer_expires_at: expiresAt.toISOString() })
      .where("id", "=", next.id)
      .execute();
    await enqueueIn(trx, JOB_OFFER_EXPIRY, `waitlist-offer:${next.id}`, { entryId: next.id }, expiresAt);
    offers.push({ entryId: next.id, email: next.email, token, eventSlug: next.slug, eventTitle: next.title, typeName: next.name, expiresAt: expiresAt.toISOString() });
  }
}

/** Ends an unclaimed offer (it lapsed, or its holder left): the seat goes to the next person. */
export async function endOffer(trx: Transaction<DB>, ctx: TicketingContext, entryId: string, status: "expired" | "left"): Promise<WaitlistOffer[]> {
  const entry = await trx.selectFrom("waitlist_entries").selectAll().where("id", "=", entryId).executeTakeFirst();
  if (!entry || (entry.status !== "offered" && entry.status !== "waiting")) return [];
  await trx.updateTable("waitlist_entries").set({ status, offer_token_hash: null }).where("id", "=", entryId).execute();
  if (entry.status !== "offered") return [];
  await releaseHeld(trx, entry.ticket_type_id, 1);
  return offerReleasedSeats(trx, ctx, entry.ticket_type_id);
}

/** Claims an offer at checkout: the seat it holds becomes the order's; returns the type it is for. */
export async function claimOffer(trx: Transaction<DB>, token: string, email: string, at: string): Promise<string> {
  const entry = await trx
    .selectFrom("waitlist_entries")
    .select(["id", "ticket_type_id", "email", "offer_expires_at"])
    .where("offer_token_hash", "=", secretHash(token))
    .where("status", "=", "offered")
    .executeTakeFirst();
  if (!entry || entry.email !== email.toLowerCase() || (entry.offer_expires_at ?? "") <= at) {
    throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "waitlistOffer", message: "This offer has expired or is not yours" }]);
  }
  await trx.updateTable("waitlist_entries").set({ status: "claimed", offer_token_hash: null }).where("id", "=", entry.id).execute();
  return entry.ticket_type_id;
}

/** Mails each offer its claim link (after the transaction that made them). */
export async function sendOfferMails(ctx: TicketingContext, offers: WaitlistOffer[], fallbackBase: string): Promise<void> {
  if (offers.length === 0) return;
  const base = await publicBase(ctx, fallbackBase);
  for (const offer of offers) {
    const user = await ctx.db.selectFrom("users").select("display_name").where("email", "=", offer.email).executeTakeFirst();
    await ctx.mailer.send(offer.email, "notification", {
      displayName: user?.display_name ?? offer.email,
      brand: offer.eventTitle,
      subject: "A ticket is free for you",
      paragraphs: [
        `A ${offer.typeName} ticket for ${offer.eventTitle} has come free, and it is yours to claim.`,
        `We keep it for you until ${new Date(offer.expiresAt).toUTCString()}; after that it goes to the next person waiting.`,
      ],
      link: { href: `${base}/events/${offer.eventSlug}/checkout?offer=${encodeURIComponent(offer.token)}`, label: "Claim my ticket" },
    });
  }
}

export function waitlistRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;

  app.post("/api/ticket-types/:id/waitlist", { config: { action: "waitlist.join" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const { accessCode } = parseBody(z.strictObject({ accessCode: z.string().max(64).optional() }), request.body);
    const type = await db.selectFrom("ticket_types").selectAll().where("id", "=", id).executeTakeFirst();
    if (!type) throw AppError.notFound("No such ticket type");
    await guardAccessCode(db, request.ip, type.event_id, accessCode);
    await visibleEvent(db, request.actor, type.event_id, accessCode);
    const user = await db.selectFrom("users").select("email").where("id", "=", actorUserId(request.actor)!).executeTakeFirstOrThrow();
    const entry = await db.transaction().execute(async (trx) => {
      const fresh = await trx.selectFrom("ticket_types").select(["quantity", "sold", "held"]).where("id", "=", id).executeTakeFirstOrThrow();
      if (fresh.sold + fresh.held < fresh.quantity) throw AppError.conflict("not_sold_out", "Tickets of this type are still available");
      const email = user.email.toLowerCase();
      const existing = await trx.selectFrom("waitlist_entries").selectAll().where("ticket_type_id", "=", id).where("email", "=", email).executeTakeFirst();
      if (existing && (existing.status === "waiting" || existing.status === "offered")) return existing;
      if (existing) await trx.deleteFrom("waitlist_entries").where("id", "=", existing.id).execute();
      return trx
        .insertInto("waitlist_entries")
        .values({ id: randomUUID(), event_id: type.event_id, ticket_type_id: id, user_id: actorUserId(request.actor), email, status: "waiting", created_at: nowIso() })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    const ahead = await db
      .selectFrom("waitlist_entries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("ticket_type_id", "=", id)
      .where("status", "in", ["waiting", "offered"])
      .where("created_at", "<", entry.created_at)
      .executeTakeFirstOrThrow();
    return reply.code(201).send({ entry: { id: entry.id, ticketTypeId: id, status: entry.status, position: Number(ahead.n) + 1 } });
  });

  app.delete("/api/waitlist/:id", { config: { action: "waitlist.join" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const offers = await db.transaction().execute(async (trx) => {
      const entry = await trx.selectFrom("waitlist_entries").select("user_id").where("id", "=", id).executeTakeFirst();
      if (!entry || entry.user_id !== actorUserId(request.actor)) throw AppError.notFound("No such waitlist entry");
      return endOffer(trx, ctx, id, "left");
    });
    await sendOfferMails(ctx, offers, request.server.listenUrl());
    return reply.code(204).send();
  });
}
