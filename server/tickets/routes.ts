/**
 * The attendee's tickets: the list with each ticket's QR image (SVG), signed code and door code, and a
 * calendar file per ticket. A ticket is the caller's when it was issued to their account, or
 * to their e-mail address before they had an account here.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { publicBase, type TicketingContext } from "../ticketing/context.ts";
import { idParams } from "../ticketing/ticket-types.ts";
import { eventCalendar } from "./calendar.ts";
import { formatShortCode } from "./short-code.ts";
import { ticketQrSvg } from "./ticket-qr.ts";

function myTickets(db: Kysely<DB>, userId: string, email: string) {
  return db
    .selectFrom("tickets")
    .innerJoin("events", "events.id", "tickets.event_id")
    .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
    .select([
      "tickets.id", "tickets.order_id", "tickets.status", "tickets.code", "tickets.short_code", "tickets.holder_name", "tickets.holder_email", "tickets.ticket_type_id",
      "ticket_types.name as type_name", "events.id as event_id", "events.slug", "events.title", "events.starts_at", "events.ends_at", "events.time_zone",
    ])
    .where((eb) => eb.or([eb("tickets.user_id", "=", userId), eb.and([eb("tickets.user_id", "is", null), eb("tickets.holder_email", "=", email.toLowerCase())])]));
}

export function ticketRoutes(app: FastifyInstance, ctx: Pick<TicketingContext, "db" | "config">) {
  const { db } = ctx;
  const me = async (userId: string) => db.selectFrom("users").select(["id", "email", "email_verified_at"]).where("id", "=", userId).executeTakeFirstOrThrow();

  app.get("/api/tickets", { config: { action: "tickets.read" } }, async (request) => {
    const user = await me(actorUserId(request.actor)!);
    // Tickets sent to an address count as the caller's only once they proved they own it.
    const rows = await myTickets(db, user.id, user.email_verified_at ? user.email : "").orderBy("events.starts_at").orderBy("tickets.created_at").execute();
    return {
      tickets: await Promise.all(
        rows.map(async (t) => ({
          id: t.id, orderId: t.order_id, status: t.status, holderName: t.holder_name, holderEmail: t.holder_email, ticketTypeName: t.type_name,
          code: t.status === "valid" ? t.code : null,
          // What door staff type when the QR image will not scan.
          shortCode: t.status === "valid" && t.short_code ? formatShortCode(t.short_code) : null,
          qrSvg: t.status === "valid" ? await ticketQrSvg(t.code) : null,
          event: { id: t.event_id, slug: t.slug, title: t.title, startsAt: t.starts_at, endsAt: t.ends_at, timeZone: t.time_zone },
        })),
      ),
    };
  });

  app.get("/api/tickets/:id/calendar.ics", { config: { action: "tickets.read" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const user = await me(actorUserId(request.actor)!);
    const ticket = await myTickets(db, user.id, user.email_verified_at ? user.email : "").where("tickets.id", "=", id).executeTakeFirst();
    if (!ticket) throw AppError.notFound("No such ticket");
    const ics = await eventCalendar(db, ticket.event_id, [ticket.ticket_type_id], await publicBase(ctx, request.server.listenUrl()));
    return reply.type("text/calendar; charset=utf-8").header("content-disposition", `attachment; filename="ticket-${id.slice(0, 8)}.ics"`).send(ics);
  });
}
