/**
 * Visibility and approval. An event goes draft → submitted → approved (published),
 * changes_requested (with the admin's comment, then resubmitted) or rejected (final).
 * An approved event whose title, dates or visibility change goes back to "submitted" with
 * a re_review step, and every admin is told; tickets already sold stay valid meanwhile.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { emailSchema } from "../accounts/users.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { authorizeEvent } from "./access.ts";
import { type EventDeps, publicBase, rescheduleEvent } from "./deps.ts";
import { editableEvent, type EventRow, eventRow, writeEventChange } from "./store.ts";
import { eventView, hashAccessCode, idParams } from "./fields.ts";

const visibilityInput = z.strictObject({
  visibility: z.enum(["public", "unlisted", "invite_only"]),
  invitees: z.array(emailSchema).max(5000, "At most 5,000 invitees").optional(),
  // A new code replaces the old one; null removes it; left out keeps it.
  accessCode: z.string().trim().min(6, "Use at least 6 characters").max(64).nullable().optional(),
});
const decisionInput = z.strictObject({
  decision: z.enum(["approved", "changes_requested", "rejected"]),
  comment: z.string().trim().max(2000).default(""),
});
const queueQuery = z.object({
  status: z.enum(["submitted", "changes_requested", "approved", "rejected", "draft", "cancelled", "all"]).default("submitted"),
  visibility: z.enum(["public", "unlisted", "invite_only"]).optional(),
  q: z.string().trim().max(100).optional(),
});

export async function notifyReviewNeeded(deps: EventDeps, request: FastifyRequest, event: EventRow, reason: string) {
  const admins = await deps.db.selectFrom("users").select("email").where("role", "=", "admin").where("banned_at", "is", null).execute();
  const link = `${await publicBase(deps, request)}/admin/events`;
  for (const admin of admins) await deps.mailer.send(admin.email, "event_review_needed", { eventTitle: event.title, reason, link });
}

export function reviewRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;

  app.post("/api/organize/events/:id/submit", { config: { action: "event.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const event = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.update", id);
      const before = await eventRow(trx, id);
      if (before.status !== "draft" && before.status !== "changes_requested") {
        throw AppError.conflict("not_submittable", `A ${before.status.replace("_", " ")} event cannot be submitted for review`);
      }
      const now = new Date().toISOString();
      await trx.updateTable("events").set({ status: "submitted", submitted_at: now, updated_at: now }).where("id", "=", id).execute();
      await trx.insertInto("event_reviews").values({ id: randomUUID(), event_id: id, actor_id: actorUserId(request.actor), decision: "submitted", comment: "", created_at: now }).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.submit", targetType: "event", targetId: id, before: { status: before.status }, after: { status: "submitted" } });
      return eventRow(trx, id);
    });
    await notifyReviewNeeded(deps, request, event, "submitted for review");
    return { event: eventView(event) };
  });

  app.put("/api/organize/events/:id/visibility", { config: { action: "event.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseBody(visibilityInput, request.body);
    let reReview = false;
    const event = await db.transaction().execute(async (trx) => {
      const before = await editableEvent(trx, request.actor, id);
      const now = new Date().toISOString();
      const changes: Partial<EventRow> & { updated_at: string } = { visibility: input.visibility, updated_at: now };
      if (input.accessCode !== undefined) changes.access_code_hash = input.accessCode === null ? null : hashAccessCode(input.accessCode);
      reReview = await writeEventChange(trx, request.actor, before, changes);
      if (input.invitees) {
        await trx.deleteFrom("event_invitees").where("event_id", "=", id).execute();
        const unique = [...new Set(input.invitees)];
        for (let i = 0; i < unique.length; i += 200) {
          await trx.insertInto("event_invitees").values(unique.slice(i, i + 200).map((email) => ({ event_id: id, email, created_at: now }))).execute();
        }
      }
      await recordAudit(trx, request.actor, request.ip, {
        action: "event.visibility", targetType: "event", targetId: id,
        before: { visibility: before.visibility },
        after: { visibility: input.visibility, invitees: input.invitees?.length, accessCode: input.accessCode === undefined ? "kept" : input.accessCode === null ? "removed" : "set" },
      });
      return eventRow(trx, id);
    });
    if (reReview) await notifyReviewNeeded(deps, request, event, "an approved event changed its visibility");
    return { event: eventView(event) };
  });

  app.get("/api/admin/events", { config: { action: "event.review" } }, async (request) => {
    const filter = parseBody(queueQuery, request.query);
    let query = db
      .selectFrom("events")
      .innerJoin("organizations", "organizations.id", "events.organization_id")
      .select([
        "events.id", "events.title", "events.slug", "events.status", "events.visibility", "events.starts_at", "events.time_zone",
        "events.submitted_at", "events.review_comment", "organizations.name as organization_name",
      ])
      .orderBy("events.submitted_at", "asc")
      .orderBy("events.starts_at", "asc")
      .limit(200);
    if (filter.status !== "all") query = query.where("events.status", "=", filter.status);
    if (filter.visibility) query = query.where("events.visibility", "=", filter.visibility);
    if (filter.q) query = query.where(sql<boolean>`(events.title like ${`%${filter.q}%`} or organizations.name like ${`%${filter.q}%`})`);
    const rows = await query.execute();
    return {
      events: rows.map((r) => ({
        id: r.id, title: r.title, slug: r.slug, status: r.status, visibility: r.visibility, startsAt: r.starts_at, timeZone: r.time_zone,
        submittedAt: r.submitted_at, reviewComment: r.review_comment, organizationName: r.organization_name,
      })),
    };
  });

  app.post("/api/admin/events/:id/review", { config: { action: "event.review" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseBody(decisionInput, request.body);
    if (input.decision !== "approved" && input.comment === "") {
      throw new AppError("validation_failed", 400, "Tell the organizer why", [{ path: "comment", message: "Say what needs to change" }]);
    }
    const event = await db.transaction().execute(async (trx) => {
      const before = await eventRow(trx, id);
      if (before.status !== "submitted") throw AppError.conflict("not_submitted", "Only submitted events can be reviewed");
      const now = new Date().toISOString();
      await trx
        .updateTable("events")
        .set({ status: input.decision, review_comment: input.comment, updated_at: now, ...(input.decision === "approved" ? { approved_at: now } : {}) })
        .where("id", "=", id)
        .execute();
      await trx.insertInto("event_reviews").values({ id: randomUUID(), event_id: id, actor_id: actorUserId(request.actor), decision: input.decision, comment: input.comment, created_at: now }).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.review", targetType: "event", targetId: id, before: { status: before.status }, after: input });
      return eventRow(trx, id);
    });
    const team = await db
      .selectFrom("event_team")
      .innerJoin("users", "users.id", "event_team.user_id")
      .select("users.email")
      .where("event_team.event_id", "=", id)
      .where("event_team.role", "in", ["owner", "co_host"])
      .execute();
    const link = `${await publicBase(deps, request)}/organize/events/${id}/visibility`;
    for (const member of team) {
      await deps.mailer.send(member.email, "event_review_decision", { eventTitle: event.title, decision: input.decision, comment: input.comment, link });
    }
    // Approval plans (and any other decision withdraws) the reminders and the invitation to rate.
    await rescheduleEvent(deps, id);
    return { event: eventView(event) };
  });
}
