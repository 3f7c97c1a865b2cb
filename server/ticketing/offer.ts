/**
 * What a buyer may see and buy: the event (approved, not over, and for invite-only events
 * only with its access code or an invitation), its ticket types on sale (hidden ones only
 * with a matching access code) and the questions asked at checkout.
 */
import type { FastifyInstance } from "fastify";
import type { Selectable } from "kysely";
import { z } from "zod";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { can } from "../accounts/policy.ts";
import type { EventsTable } from "../db/schema.ts";
import { accessCodeGuard } from "../discovery/access-codes.ts";
import { AppError } from "../errors.ts";
import { eventResource } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { type Db, secretHash, type TicketingContext } from "./context.ts";
import { questionOut } from "./questions.ts";
import { sessionsByType, type TicketTypeRow } from "./ticket-types.ts";

export type EventRow = Selectable<EventsTable>;

/** The event as a buyer sees it; 404 for events the caller may not see. */
export async function visibleEvent(db: Db, actor: Actor, eventId: string, accessCode?: string): Promise<{ event: EventRow; organizer: boolean }> {
  const event = await db.selectFrom("events").selectAll().where("id", "=", eventId).executeTakeFirst();
  if (!event) throw AppError.notFound("No such event");
  const organizer = actorUserId(actor) !== null && can(actor, "ticketing.manage", await eventResource(db, actor, eventId));
  if (organizer) return { event, organizer };
  if (event.status !== "approved" && event.status !== "cancelled") throw AppError.notFound("No such event");
  if (event.visibility === "invite_only") {
    const codeOpens = accessCode !== undefined && event.access_code_hash !== null && secretHash(accessCode) === event.access_code_hash;
    const userId = actorUserId(actor);
    const invited = userId
      ? await db
          .selectFrom("event_invitees")
          .innerJoin("users", "users.email", "event_invitees.email")
          .select("users.id")
          .where("event_invitees.event_id", "=", eventId)
          .where("users.id", "=", userId)
          .executeTakeFirst()
      : undefined;
    if (!codeOpens && !invited) throw AppError.notFound("No such event");
  }
  return { event, organizer };
}

/** Why a type cannot be bought right now, or null when it can. */
export function saleProblem(event: EventRow, type: TicketTypeRow, at: string): string | null {
  if (event.status === "cancelled") return "The event is cancelled";
  if (event.status !== "approved") return "The event is not published yet";
  if (event.ends_at <= at) return "The event is over";
  if (type.sale_starts_at && at < type.sale_starts_at) return "Sales have not started";
  if (type.sale_ends_at && at >= type.sale_ends_at) return "Sales have ended";
  return null;
}

/** Does the access code open a hidden type (its own code or the event's)? */
export function typeVisible(event: EventRow, type: TicketTypeRow, accessCode: string | undefined, organizer: boolean): boolean {
  if (!type.hidden || organizer) return true;
  if (!accessCode) return false;
  const hash = secretHash(accessCode);
  return hash === type.access_code_hash || hash === event.access_code_hash;
}

/**
 * The guard every ticketing route runs before it reads an access code: 429 while the caller's
 * address is paused, and a code that opens neither the event nor any of its ticket types
 * counts as a wrong guess (discovery/access-codes.ts).
 */
export async function guardAccessCode(db: Db, ip: string, eventId: string, accessCode: string | undefined): Promise<void> {
  if (!accessCode?.trim()) return;
  await accessCodeGuard.assertMayTry(db, ip);
  const hash = secretHash(accessCode);
  const event = await db.selectFrom("events").select("id").where("id", "=", eventId).where("access_code_hash", "=", hash).executeTakeFirst();
  const type = event ?? (await db.selectFrom("ticket_types").select("id").where("event_id", "=", eventId).where("access_code_hash", "=", hash).executeTakeFirst());
  if (!type) await accessCodeGuard.wrong(db, ip);
}

export function offerRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;
  // By id or by slug, so the public event page's checkout link (/events/<slug>/checkout) can ask directly.
  app.get("/api/events/:id/offer", { config: { action: "ticketing.offer" } }, async (request) => {
    const { id: idOrSlug } = parseBody(z.object({ id: z.string().min(1).max(200) }), request.params);
    const { accessCode } = parseBody(z.object({ accessCode: z.string().max(64).optional() }), request.query);
    const found = await db.selectFrom("events").select("id").where((eb) => eb.or([eb("id", "=", idOrSlug), eb("slug", "=", idOrSlug)])).executeTakeFirst();
    if (!found) throw AppError.notFound("No such event");
    const id = found.id;
    await guardAccessCode(db, request.ip, id, accessCode);
    const { event, organizer } = await visibleEvent(db, request.actor, id, accessCode);
    const at = new Date().toISOString();
    const types = (await db.selectFrom("ticket_types").selectAll().where("event_id", "=", id).orderBy("position").orderBy("created_at").execute()).filter((t) =>
      typeVisible(event, t, accessCode, organizer),
    );
    const sessions = await sessionsByType(db, types.map((t) => t.id));
    const questions = await db.selectFrom("registration_questions").selectAll().where("event_id", "=", id).orderBy("position").orderBy("created_at").execute();
    return {
      event: {
        id: event.id, slug: event.slug, title: event.title, summary: event.summary, startsAt: event.starts_at, endsAt: event.ends_at,
        timeZone: event.time_zone, currency: event.currency, status: event.status, holdMinutes: event.hold_minutes,
        vatRateBp: event.vat_rate_bp, vatInclusive: event.vat_inclusive === 1,
      },
      paymentsEnabled: ctx.provider !== null,
      ticketTypes: types.map((t) => ({
        id: t.id, name: t.name, description: t.description, price: t.price, currency: t.currency,
        available: Math.max(0, t.quantity - t.sold - t.held), minPerOrder: t.min_per_order, maxPerOrder: t.max_per_order,
        saleStartsAt: t.sale_starts_at, saleEndsAt: t.sale_ends_at, unavailableReason: saleProblem(event, t, at), sessionIds: sessions.get(t.id) ?? [],
      })),
      questions: questions.map(questionOut),
    };
  });
}
