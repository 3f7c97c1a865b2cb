/**
 * Attendees rate (1–5 stars and a comment, one per target, editable for 14 days), answer the
 * organizer's survey and report abusive comments; anyone reads averages, testimonials and
 * visible comments of a published event.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { actorUserId } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { publicComments, summarize, summaryOf } from "./summaries.ts";
import { attendedSessionIds, holdsTicket, loadTarget, RATING_EDIT_DAYS, requireAttendee, TARGET_TYPES } from "./targets.ts";
import { codeProof, requireVisibleEvent } from "./visibility.ts";

const eventParams = z.object({ id: z.uuid("Not a valid id") }).transform(({ id }) => ({ eventId: id }));
const ratingParams = z.object({ ratingId: z.uuid("Not a valid id") });
const ratingBody = z.strictObject({
  targetType: z.enum(TARGET_TYPES),
  targetId: z.uuid("Not a valid id"),
  stars: z.number().int().min(1, "Give 1 to 5 stars").max(5, "Give 1 to 5 stars"),
  comment: z.string().trim().max(2000, "Use at most 2000 characters").default(""),
});
const answersBody = z.strictObject({
  answers: z.array(z.strictObject({ questionId: z.uuid(), value: z.string().trim().min(1).max(2000) })).max(50),
});
const commentsQuery = z.object({ targetType: z.enum(TARGET_TYPES).optional(), targetId: z.uuid().optional() });

function signedInUser(actor: Parameters<typeof actorUserId>[0]): string {
  const userId = actorUserId(actor);
  if (!userId) throw AppError.unauthorized();
  return userId;
}

export function attendeeFeedbackRoutes(app: FastifyInstance, db: Kysely<DB>) {
  // What the caller may rate in this event, what they already gave, and the survey.
  app.get("/api/events/:id/feedback/form", { config: { action: "feedback.submit" } }, async (request) => {
    const { eventId } = parseBody(eventParams, request.params);
    const userId = signedInUser(request.actor);
    const event = await requireVisibleEvent(db, request.actor, eventId);
    if (!(await holdsTicket(db, eventId, userId))) throw AppError.forbidden("not_an_attendee", "Only attendees with a ticket can rate this event");
    const attended = await attendedSessionIds(db, eventId, userId);
    const now = new Date().toISOString();
    const [eventRow, organization, sessions, speakers, mine, questions, answers] = await Promise.all([
      db.selectFrom("events").select(["starts_at", "ends_at"]).where("id", "=", eventId).executeTakeFirstOrThrow(),
      db.selectFrom("organizations").select(["id", "name"]).where("id", "=", event.organizationId).executeTakeFirstOrThrow(),
      db.selectFrom("event_sessions").select(["id", "title", "starts_at", "ends_at"]).where("event_id", "=", eventId).orderBy("starts_at").execute(),
      db
        .selectFrom("speakers")
        .innerJoin("session_speakers", "session_speakers.speaker_id", "speakers.id")
        .select(["speakers.id", "speakers.name", "session_speakers.session_id"])
        .where("speakers.event_id", "=", eventId)
        .execute(),
      db.selectFrom("feedback_ratings").selectAll().where("event_id", "=", eventId).where("user_id", "=", userId).execute(),
      db.selectFrom("feedback_questions").select(["id", "label", "kind"]).where("event_id", "=", eventId).orderBy("position").orderBy("created_at").execute(),
      db
        .selectFrom("feedback_answers")
        .innerJoin("feedback_questions", "feedback_questions.id", "feedback_answers.question_id")
        .select(["feedback_answers.question_id", "feedback_answers.value"])
        .where("feedback_questions.event_id", "=", eventId)
        .where("feedback_answers.user_id", "=", userId)
        .execute(),
    ]);
    const attendedSessions = sessions.filter((s) => attended.has(s.id));
    const speakerIds = new Map<string, { id: string; name: string; opensAt: string }>();
    for (const s of speakers) {
      const session = attendedSessions.find((a) => a.id === s.session_id);
      if (!session) continue;
      const known = speakerIds.get(s.id);
      if (!known || session.starts_at < known.opensAt) speakerIds.set(s.id, { id: s.id, name: s.name, opensAt: session.starts_at });
    }
    const target = (type: string, id: string, title: string, opensAt: string) => {
      const rating = mine.find((r) => r.target_type === type && r.target_id === id);
      return { type, id, title, open: opensAt <= now, rating: rating ? ratingView(rating) : null };
    };
    return {
      event: { id: event.id, title: event.title, slug: event.slug },
      editDays: RATING_EDIT_DAYS,
      targets: [
        target("event", event.id, event.title, eventRow.starts_at),
        target("organizer", organization.id, organization.name, eventRow.starts_at),
        ...attendedSessions.map((s) => target("session", s.id, s.title, s.starts_at)),
        ...[...speakerIds.values()].map((s) => target("speaker", s.id, s.name, s.opensAt)),
      ],
      questions: questions.map((q) => ({ ...q, answer: answers.find((a) => a.question_id === q.id)?.value ?? null })),
    };
  });

  app.put("/api/events/:id/ratings", { config: { action: "feedback.submit" } }, async (request, reply) => {
    const { eventId } = parseBody(eventParams, request.params);
    const input = parseBody(ratingBody, request.body);
    const userId = signedInUser(request.actor);
    const target = await loadTarget(db, eventId, input.targetType, input.targetId);
    const now = new Date();
    await requireAttendee(db, target, userId, now);
    const result = await db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom("feedback_ratings")
        .selectAll()
        .where("user_id", "=", userId)
        .where("target_type", "=", input.targetType)
        .where("target_id", "=", input.targetId)
        .executeTakeFirst();
      if (existing) {
        const closes = new Date(new Date(existing.created_at).getTime() + RATING_EDIT_DAYS * 86_400_000);
        if (now > closes) throw AppError.conflict("edit_window_closed", `Ratings can be changed for ${RATING_EDIT_DAYS} days after they are given`);
        await trx.updateTable("feedback_ratings").set({ stars: input.stars, comment: input.comment, updated_at: now.toISOString() }).where("id", "=", existing.id).execute();
        return { id: existing.id, created: false };
      }
      const id = randomUUID();
      await trx
        .insertInto("feedback_ratings")
        .values({ id, event_id: eventId, target_type: input.targetType, target_id: input.targetId, user_id: userId, stars: input.stars, comment: input.comment, created_at: now.toISOString(), updated_at: now.toISOString() })
        .execute();
      return { id, created: true };
    });
    const row = await db.selectFrom("feedback_ratings").selectAll().where("id", "=", result.id).executeTakeFirstOrThrow();
    return reply.code(result.created ? 201 : 200).send({ rating: ratingView(row), summary: await summaryOf(db, input.targetType, input.targetId) });
  });

  app.put("/api/events/:id/survey-answers", { config: { action: "feedback.submit" } }, async (request) => {
    const { eventId } = parseBody(eventParams, request.params);
    const { answers } = parseBody(answersBody, request.body);
    const userId = signedInUser(request.actor);
    if (!(await holdsTicket(db, eventId, userId))) throw AppError.forbidden("not_an_attendee", "Only attendees with a ticket can answer the survey");
    const questions = await db.selectFrom("feedback_questions").select(["id", "kind"]).where("event_id", "=", eventId).execute();
    const fields = answers.flatMap((a, i) => {
      const question = questions.find((q) => q.id === a.questionId);
      if (!question) return [{ path: `answers.${i}.questionId`, message: "Not a question of this event" }];
      if (question.kind === "stars" && !/^[1-5]$/.test(a.value)) return [{ path: `answers.${i}.value`, message: "Give 1 to 5 stars" }];
      return [];
    });
    if (fields.length) throw new AppError("validation_failed", 400, "Some answers are not valid", fields);
    const now = new Date().toISOString();
    await db.transaction().execute(async (trx) => {
      for (const a of answers) {
        await trx
          .insertInto("feedback_answers")
          .values({ question_id: a.questionId, user_id: userId, value: a.value, updated_at: now })
          .onConflict((oc) => oc.columns(["question_id", "user_id"]).doUpdateSet({ value: a.value, updated_at: now }))
          .execute();
      }
    });
    return { saved: answers.length };
  });

  app.post("/api/ratings/:ratingId/report", { config: { action: "feedback.flag" } }, async (request, reply) => {
    const { ratingId } = parseBody(ratingParams, request.params);
    const updated = await db
      .updateTable("feedback_ratings")
      .set({ reported_at: new Date().toISOString() })
      .where("id", "=", ratingId)
      .where("hidden_at", "is", null)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw AppError.notFound("No such rating");
    return reply.code(202).send({ reported: true });
  });

  // Averages with counts for the event, its organizer, sessions and speakers, and its testimonials.
  app.get("/api/events/:id/ratings/summary", { config: { action: "feedback.read" } }, async (request) => {
    const { eventId } = parseBody(eventParams, request.params);
    const event = await requireVisibleEvent(db, request.actor, eventId, codeProof(request));
    const [sessions, speakers] = await Promise.all([
      db.selectFrom("event_sessions").select(["id", "title"]).where("event_id", "=", eventId).orderBy("starts_at").execute(),
      db.selectFrom("speakers").select(["id", "name"]).where("event_id", "=", eventId).orderBy("position").execute(),
    ]);
    const [sessionSummaries, speakerSummaries] = await Promise.all([
      summarize(db, "session", sessions.map((s) => s.id)),
      summarize(db, "speaker", speakers.map((s) => s.id)),
    ]);
    return {
      event: await summaryOf(db, "event", eventId),
      organizer: await summaryOf(db, "organizer", event.organizationId),
      sessions: sessions.map((s) => ({ ...s, ...sessionSummaries.get(s.id)! })),
      speakers: speakers.map((s) => ({ ...s, ...speakerSummaries.get(s.id)! })),
      testimonials: await publicComments(db, { eventId, featuredOnly: true, limit: 20 }),
    };
  });

  app.get("/api/events/:id/ratings", { config: { action: "feedback.read" } }, async (request) => {
    const { eventId } = parseBody(eventParams, request.params);
    const query = parseBody(commentsQuery, request.query);
    await requireVisibleEvent(db, request.actor, eventId, codeProof(request));
    return { comments: await publicComments(db, { eventId, targetType: query.targetType, targetIds: query.targetId ? [query.targetId] : undefined }) };
  });
}

type RatingRow = { id: string; target_type: string; target_id: string; stars: number; comment: string; reply: string; created_at: string; updated_at: string; hidden_at: string | null };

export function ratingView(row: RatingRow) {
  const editableUntil = new Date(new Date(row.created_at).getTime() + RATING_EDIT_DAYS * 86_400_000).toISOString();
  return {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    stars: row.stars,
    comment: row.comment,
    reply: row.reply,
    hidden: row.hidden_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    editableUntil,
  };
}
