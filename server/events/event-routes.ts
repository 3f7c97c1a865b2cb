/**
 * Events, organizer side: list what I run, create in an organization, read with everything
 * the editor shows, edit (Markdown rendered on save; key changes of an approved event send
 * it back to review), cover image, and delete while nothing has been sold.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely, Transaction } from "kysely";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { can } from "../accounts/policy.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { organizationResource } from "../organizations/routes.ts";
import { authorizeEvent } from "./access.ts";
import { type EventDeps, rescheduleEvent } from "./deps.ts";
import { eventColumns, eventCreate, eventPatch, eventProblems, eventView, idParams, slugFrom } from "./fields.ts";
import { imageBodyLimit, imageUploads, removeImage, sendEventImage, storeImage } from "./images.ts";
import { renderDescription } from "./markdown.ts";
import { loadEventDetail } from "./queries.ts";
import { notifyReviewNeeded } from "./review.ts";
import { editableEvent, type EventRow, eventRow, freeSlug, writeEventChange } from "./store.ts";

export function eventRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;

  app.get("/api/organize/events", { config: { action: "event.list" } }, async (request) => {
    const userId = actorUserId(request.actor)!;
    const rows = await db
      .selectFrom("events")
      .innerJoin("organizations", "organizations.id", "events.organization_id")
      .leftJoin("event_team", (j) => j.onRef("event_team.event_id", "=", "events.id").on("event_team.user_id", "=", userId))
      .leftJoin("organization_members", (j) =>
        j.onRef("organization_members.organization_id", "=", "events.organization_id").on("organization_members.user_id", "=", userId))
      .select([
        "events.id", "events.title", "events.slug", "events.starts_at", "events.ends_at", "events.time_zone", "events.status",
        "events.visibility", "organizations.id as organization_id", "organizations.name as organization_name", "event_team.role as team_role",
        "organization_members.role as organization_role",
      ])
      .where((w) => w.or([w("event_team.role", "is not", null), w("organization_members.role", "in", ["owner", "admin"])]))
      .orderBy("events.starts_at", "desc")
      .execute();
    return {
      events: rows.map((r) => ({
        id: r.id, title: r.title, slug: r.slug, startsAt: r.starts_at, endsAt: r.ends_at, timeZone: r.time_zone, status: r.status,
        visibility: r.visibility, organization: { id: r.organization_id, name: r.organization_name },
        teamRole: r.team_role, organizationRole: r.organization_role,
      })),
    };
  });

  app.post("/api/organize/events", { config: { action: "event.create" } }, async (request, reply) => {
    const input = parseBody(eventCreate, request.body);
    const id = randomUUID();
    await db.transaction().execute(async (trx) => {
      const org = await organizationResource(trx, request.actor, input.organizationId);
      if (!can(request.actor, "event.create", org)) {
        if (org.role === null) throw AppError.notFound("No such organization");
        throw AppError.forbidden("forbidden", "Only owners and admins of the organization create events");
      }
      const { default_currency } = await trx.selectFrom("organizations").select("default_currency").where("id", "=", org.id).executeTakeFirstOrThrow();
      const now = new Date().toISOString();
      const { organizationId, ...fields } = input;
      const row = {
        id, organization_id: organizationId, created_by: actorUserId(request.actor), created_at: now, updated_at: now,
        currency: default_currency, venue_type: "online", venue_address: "",
        ...eventColumns(fields),
        slug: await freeSlug(trx, input.slug ?? slugFrom(input.title), input.slug !== undefined),
        description_html: renderDescription(input.description ?? ""),
      } as const;
      const problems = eventProblems(row as { starts_at: string; ends_at: string; venue_type: string; venue_address: string });
      if (problems.length > 0) throw new AppError("validation_failed", 400, "Some fields are not valid", problems);
      await trx.insertInto("events").values(row as never).execute();
      await trx.insertInto("event_team").values({ event_id: id, user_id: actorUserId(request.actor)!, role: "owner", added_by: null, created_at: now }).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.create", targetType: "event", targetId: id, after: fields });
    });
    return reply.code(201).send({ event: eventView(await eventRow(db, id)) });
  });

  app.get("/api/organize/events/:id", { config: { action: "event.read" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const resource = await authorizeEvent(db, request.actor, "event.read", id);
    return loadEventDetail(db, id, resource, request.actor);
  });

  app.patch("/api/organize/events/:id", { config: { action: "event.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseBody(eventPatch, request.body);
    let reReview = false;
    const event = await db.transaction().execute(async (trx) => {
      const before = await editableEvent(trx, request.actor, id);
      const changes = { ...eventColumns(input), updated_at: new Date().toISOString() } as Partial<EventRow> & { updated_at: string };
      if (input.slug !== undefined && input.slug !== before.slug) changes.slug = await freeSlug(trx, input.slug, true);
      if (input.description !== undefined) changes.description_html = renderDescription(input.description);
      const problems = eventProblems({ ...before, ...changes });
      if (problems.length > 0) throw new AppError("validation_failed", 400, "Some fields are not valid", problems);
      if (changes.currency !== undefined && changes.currency !== before.currency) await moveTicketCurrency(trx, id, changes.currency);
      reReview = await writeEventChange(trx, request.actor, before, changes);
      await recordAudit(trx, request.actor, request.ip, { action: "event.update", targetType: "event", targetId: id, before: pick(before, Object.keys(changes)), after: changes });
      return eventRow(trx, id);
    });
    if (reReview) await notifyReviewNeeded(deps, request, event, "an approved event changed its title, dates or visibility");
    const moved = input.startsAt !== undefined || input.endsAt !== undefined;
    if (moved || input.reminderOffsets !== undefined) await rescheduleEvent(deps, id);
    return { event: eventView(event) };
  });

  app.delete("/api/organize/events/:id", { config: { action: "event.delete" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const cover = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.delete", id);
      // Orders keep their event (and the ledger its history): an event with any order is cancelled instead.
      const order = await trx.selectFrom("orders").select("id").where("event_id", "=", id).limit(1).executeTakeFirst();
      if (order) throw AppError.conflict("has_orders", "This event has orders; cancel it instead of deleting it");
      const before = await eventRow(trx, id);
      await trx.deleteFrom("events").where("id", "=", id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.delete", targetType: "event", targetId: id, before: { title: before.title, slug: before.slug } });
      return before.cover_path;
    });
    await removeImage(deps.config.paths.dataDir, cover);
    return reply.code(204).send();
  });

  imageUploads(app, (scope) => {
    scope.put("/api/organize/events/:id/cover", { config: { action: "event.update" }, bodyLimit: imageBodyLimit }, async (request) => {
      const { id } = parseBody(idParams, request.params);
      await authorizeEvent(db, request.actor, "event.update", id);
      const stored = await storeImage(deps.config.paths.dataDir, "covers", id, request.body, "cover");
      return { event: eventView(await replaceCover(db, request.actor, request.ip, id, stored, deps.config.paths.dataDir)) };
    });
  });

  app.delete("/api/organize/events/:id/cover", { config: { action: "event.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "event.update", id);
    return { event: eventView(await replaceCover(db, request.actor, request.ip, id, null, deps.config.paths.dataDir)) };
  });

  app.get("/api/images/events/:id/cover", { config: { action: "event.image.read" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const row = await db.selectFrom("events").select("cover_path").where("id", "=", id).executeTakeFirst();
    return sendEventImage(reply, db, request, deps.config.paths.dataDir, id, row?.cover_path ?? null);
  });
}

/** Ticket types are priced in the event's currency, so they move with it, but only while nothing is sold or held. */
async function moveTicketCurrency(trx: Transaction<DB>, eventId: string, currency: string) {
  const order = await trx.selectFrom("orders").select("id").where("event_id", "=", eventId).limit(1).executeTakeFirst();
  const taken = await trx.selectFrom("ticket_types").select("id").where("event_id", "=", eventId).where((eb) => eb("sold", ">", 0).or("held", ">", 0)).limit(1).executeTakeFirst();
  if (order || taken) throw AppError.conflict("currency_locked", "The currency cannot change once tickets are sold or held");
  await trx.updateTable("ticket_types").set({ currency, updated_at: new Date().toISOString() }).where("event_id", "=", eventId).execute();
}

async function replaceCover(db: Kysely<DB>, actor: Actor, ip: string, id: string, stored: string | null, dataDir: string) {
  const before = await eventRow(db, id);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("events").set({ cover_path: stored, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
    await recordAudit(trx, actor, ip, { action: stored ? "event.cover.set" : "event.cover.remove", targetType: "event", targetId: id });
  });
  await removeImage(dataDir, before.cover_path);
  return eventRow(db, id);
}

function pick(row: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.filter((k) => k !== "updated_at" && k in row).map((k) => [k, row[k]]));
}
