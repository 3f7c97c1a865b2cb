/**
 * Registration questions asked of each attendee at checkout: free text, one choice or
 * several. Answers are checked here and stored per seat (order_items.answers).
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { RegistrationQuestionsTable } from "../db/schema.ts";
import { AppError, type FieldProblem } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { parseBody } from "../http/validate.ts";
import { nowIso, type TicketingContext } from "./context.ts";
import { idParams } from "./ticket-types.ts";

export type QuestionRow = Selectable<RegistrationQuestionsTable>;
export type Answers = Record<string, string | string[]>;

const questionInput = z
  .strictObject({
    label: z.string().trim().min(1, "Write the question").max(300),
    kind: z.enum(["text", "choice", "multi_choice"]),
    choices: z.array(z.string().trim().min(1).max(120)).max(50).default([]),
    required: z.boolean().default(false),
    position: z.number().int().min(0).max(10_000).default(0),
  })
  .refine((q) => q.kind === "text" || q.choices.length >= 2, { path: ["choices"], message: "Give at least two choices" });

export function questionOut(row: QuestionRow) {
  return { id: row.id, label: row.label, kind: row.kind, choices: JSON.parse(row.choices) as string[], required: row.required === 1, position: row.position };
}

/** Problems with one attendee's answers (path prefix names the seat), and the answers kept. */
export function checkAnswers(questions: QuestionRow[], answers: Answers, prefix: string): { kept: Answers; problems: FieldProblem[] } {
  const kept: Answers = {};
  const problems: FieldProblem[] = [];
  for (const q of questions) {
    const value = answers[q.id];
    const path = `${prefix}.answers.${q.id}`;
    const choices = JSON.parse(q.choices) as string[];
    const empty = value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (q.required) problems.push({ path, message: "Please answer this question" });
      continue;
    }
    if (q.kind === "text" && (typeof value !== "string" || value.length > 2_000)) problems.push({ path, message: "Answer in at most 2000 characters" });
    else if (q.kind === "choice" && (typeof value !== "string" || !choices.includes(value))) problems.push({ path, message: "Pick one of the choices" });
    else if (q.kind === "multi_choice" && (!Array.isArray(value) || value.some((v) => !choices.includes(v)))) problems.push({ path, message: "Pick among the choices" });
    else kept[q.id] = value;
  }
  return { kept, problems };
}

export function questionRoutes(app: FastifyInstance, ctx: TicketingContext) {
  const { db } = ctx;

  app.get("/api/events/:id/registration-questions", { config: { action: "ticketing.manage" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorizeEvent(db, request.actor, "ticketing.manage", id);
    const rows = await db.selectFrom("registration_questions").selectAll().where("event_id", "=", id).orderBy("position").orderBy("created_at").execute();
    return { questions: rows.map(questionOut) };
  });

  app.post("/api/events/:id/registration-questions", { config: { action: "ticketing.manage" } }, async (request, reply) => {
    const { id: eventId } = parseBody(idParams, request.params);
    const input = parseBody(questionInput, request.body);
    await authorizeEvent(db, request.actor, "ticketing.manage", eventId);
    const row = await db
      .insertInto("registration_questions")
      .values({ id: randomUUID(), event_id: eventId, label: input.label, kind: input.kind, choices: JSON.stringify(input.kind === "text" ? [] : input.choices), required: input.required ? 1 : 0, position: input.position, created_at: nowIso() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return reply.code(201).send({ question: questionOut(row) });
  });

  app.delete("/api/registration-questions/:id", { config: { action: "ticketing.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("registration_questions").select("event_id").where("id", "=", id).executeTakeFirst();
      if (!row) throw AppError.notFound("No such question");
      await authorizeEvent(trx, request.actor, "ticketing.manage", row.event_id);
      await trx.deleteFrom("registration_questions").where("id", "=", id).execute();
    });
    return reply.code(204).send();
  });
}
