/**
 * The organizer's side of feedback (owners and co-hosts, and organization admins): survey
 * questions, public replies, featured testimonials, the report and its CSV export, and
 * asking attendees for feedback now rather than at the sweep's next pass. And the
 * platform admin's: hiding an abusive comment, and the list of reported ones.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { recordAudit } from "../accounts/audit.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import type { JobRunner } from "../jobs/index.ts";
import { ratingView } from "./attendee-routes.ts";
import { inviteEndedNow } from "./invitations.ts";
import { feedbackCsv, feedbackReport } from "./report.ts";

const eventParams = z.object({ id: z.uuid("Not a valid id") }).transform(({ id }) => ({ eventId: id }));
const ratingParams = z.object({ ratingId: z.uuid("Not a valid id") });
const questionParams = z.object({ questionId: z.uuid("Not a valid id") });
const questionBody = z.strictObject({
  label: z.string().trim().min(1, "Enter the question").max(300, "Use at most 300 characters"),
  kind: z.enum(["stars", "text"]),
  position: z.number().int().min(0).max(1000).default(0),
});
const replyBody = z.strictObject({ reply: z.string().trim().max(2000, "Use at most 2000 characters") });
const featureBody = z.strictObject({ featured: z.boolean() });
const hideBody = z.strictObject({ hidden: z.boolean(), reason: z.string().trim().max(500).default("") });

async function ratingEvent(db: Kysely<DB>, ratingId: string) {
  const row = await db.selectFrom("feedback_ratings").selectAll().where("id", "=", ratingId).executeTakeFirst();
  if (!row) throw AppError.notFound("No such rating");
  return row;
}

export function organizerFeedbackRoutes(app: FastifyInstance, db: Kysely<DB>, jobs: JobRunner) {
  app.post("/api/organize/events/:id/feedback/invitations", { config: { action: "feedback.manage" } }, async (request, reply) => {
    const { eventId } = parseBody(eventParams, request.params);
    await authorizeEvent(db, request.actor, "feedback.manage", eventId);
    return reply.code(202).send({ targets: await inviteEndedNow(db, jobs, eventId) });
  });

  app.post("/api/organize/events/:id/survey-questions", { config: { action: "feedback.manage" } }, async (request, reply) => {
    const { eventId } = parseBody(eventParams, request.params);
    const input = parseBody(questionBody, request.body);
    await authorizeEvent(db, request.actor, "feedback.manage", eventId);
    const question = { id: randomUUID(), event_id: eventId, label: input.label, kind: input.kind, position: input.position, created_at: new Date().toISOString() };
    await db.insertInto("feedback_questions").values(question).execute();
    return reply.code(201).send({ question: { id: question.id, label: question.label, kind: question.kind, position: question.position } });
  });

  app.delete("/api/organize/survey-questions/:questionId", { config: { action: "feedback.manage" } }, async (request, reply) => {
    const { questionId } = parseBody(questionParams, request.params);
    const question = await db.selectFrom("feedback_questions").select("event_id").where("id", "=", questionId).executeTakeFirst();
    if (!question) throw AppError.notFound("No such question");
    await authorizeEvent(db, request.actor, "feedback.manage", question.event_id);
    await db.deleteFrom("feedback_questions").where("id", "=", questionId).execute();
    return reply.code(204).send();
  });

  app.put("/api/organize/ratings/:ratingId/reply", { config: { action: "feedback.manage" } }, async (request) => {
    const { ratingId } = parseBody(ratingParams, request.params);
    const { reply } = parseBody(replyBody, request.body);
    const rating = await ratingEvent(db, ratingId);
    await authorizeEvent(db, request.actor, "feedback.manage", rating.event_id);
    await db.updateTable("feedback_ratings").set({ reply, replied_at: reply ? new Date().toISOString() : null }).where("id", "=", ratingId).execute();
    return { rating: ratingView(await ratingEvent(db, ratingId)) };
  });

  app.put("/api/organize/ratings/:ratingId/featured", { config: { action: "feedback.manage" } }, async (request) => {
    const { ratingId } = parseBody(ratingParams, request.params);
    const { featured } = parseBody(featureBody, request.body);
    const rating = await ratingEvent(db, ratingId);
    await authorizeEvent(db, request.actor, "feedback.manage", rating.event_id);
    if (featured && (rating.hidden_at || !rating.comment)) throw AppError.conflict("not_featurable", "Only a visible comment can be a testimonial");
    await db.updateTable("feedback_ratings").set({ featured: featured ? 1 : 0 }).where("id", "=", ratingId).execute();
    return { featured };
  });

  app.get("/api/organize/events/:id/feedback", { config: { action: "feedback.report" } }, async (request) => {
    const { eventId } = parseBody(eventParams, request.params);
    await authorizeEvent(db, request.actor, "feedback.report", eventId);
    const comments = await db
      .selectFrom("feedback_ratings as r")
      .innerJoin("users as u", "u.id", "r.user_id")
      .select(["r.id", "r.target_type", "r.target_id", "r.stars", "r.comment", "r.reply", "r.featured", "r.hidden_at", "r.reported_at", "r.created_at", "u.display_name"])
      .where("r.event_id", "=", eventId)
      .where("r.comment", "!=", "")
      .orderBy("r.created_at", "desc")
      .limit(500)
      .execute();
    return {
      report: await feedbackReport(db, eventId),
      comments: comments.map((c) => ({
        id: c.id, targetType: c.target_type, targetId: c.target_id, stars: c.stars, comment: c.hidden_at ? "" : c.comment,
        reply: c.reply, featured: c.featured === 1, hidden: c.hidden_at !== null, reported: c.reported_at !== null, author: c.display_name, createdAt: c.created_at,
      })),
    };
  });

  app.get("/api/organize/events/:id/feedback.csv", { config: { action: "feedback.report" } }, async (request, reply) => {
    const { eventId } = parseBody(eventParams, request.params);
    await authorizeEvent(db, request.actor, "feedback.report", eventId);
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="feedback-${eventId}.csv"`)
      .send(await feedbackCsv(db, eventId));
  });

  app.get("/api/admin/ratings/reported", { config: { action: "admin.feedback.moderate" } }, async () => {
    const rows = await db
      .selectFrom("feedback_ratings as r")
      .innerJoin("events as e", "e.id", "r.event_id")
      .select(["r.id", "r.stars", "r.comment", "r.reported_at", "r.hidden_at", "e.title as event_title"])
      .where("r.reported_at", "is not", null)
      .orderBy("r.reported_at", "desc")
      .limit(200)
      .execute();
    return { ratings: rows.map((r) => ({ id: r.id, stars: r.stars, comment: r.comment, reportedAt: r.reported_at, hidden: r.hidden_at !== null, eventTitle: r.event_title })) };
  });

  app.put("/api/admin/ratings/:ratingId/hidden", { config: { action: "admin.feedback.moderate" } }, async (request) => {
    const { ratingId } = parseBody(ratingParams, request.params);
    const { hidden, reason } = parseBody(hideBody, request.body);
    await db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom("feedback_ratings").select(["id", "event_id", "hidden_at"]).where("id", "=", ratingId).executeTakeFirst();
      if (!before) throw AppError.notFound("No such rating");
      // A hidden comment is no testimonial any more.
      await trx
        .updateTable("feedback_ratings")
        .set(hidden ? { hidden_at: new Date().toISOString(), hidden_reason: reason, featured: 0 } : { hidden_at: null, hidden_reason: "" })
        .where("id", "=", ratingId)
        .execute();
      await recordAudit(trx, request.actor, request.ip, { action: hidden ? "feedback.hide" : "feedback.unhide", targetType: "event", targetId: before.event_id, after: { ratingId, reason } });
    });
    return { hidden };
  });
}
