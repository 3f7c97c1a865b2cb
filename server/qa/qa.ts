/**
 * Q&A in a session: attendees ask (optionally anonymously: nobody, hosts included, sees
 * who) and upvote each question once. With pre-moderation a question waits for a host to
 * approve it; hosts mark questions answered (live or in writing), dismiss them, and pin
 * the one on stage. Hosts see the queue; attendees see approved questions.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import { requireSessionFor } from "../chat/access.ts";
import { coalescePerKey } from "../chat/later.ts";
import type { Question } from "../chat/wire.ts";
import type { DB, QuestionStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Notifier } from "../notifications/Notifier.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";

export type { Question } from "../chat/wire.ts";

const topic = (sessionId: string, hosts: boolean) => `qa:${sessionId}:${hosts ? "hosts" : "all"}`;

function questionQuery(db: Kysely<DB>) {
  return db
    .selectFrom("questions as q")
    .innerJoin("users as u", "u.id", "q.author_id")
    .select(["q.id", "q.session_id", "q.text", "q.author_id", "u.display_name", "q.anonymous", "q.status", "q.answered_live", "q.answer", "q.pinned", "q.votes", "q.created_at"]);
}

function toQuestion(r: Awaited<ReturnType<ReturnType<typeof questionQuery>["execute"]>>[number]): Question {
  return {
    id: r.id, sessionId: r.session_id, text: r.text, author: r.anonymous ? null : { id: r.author_id, name: r.display_name },
    status: r.status, answeredLive: r.answered_live === 1, answer: r.answer, pinned: r.pinned === 1, votes: r.votes, createdAt: r.created_at,
  };
}

export function registerQa(router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout; notifier: Notifier }): void {
  const { db, fanout, notifier } = deps;
  const standing = (connection: RealtimeConnection, sessionId: string) => requireSessionFor(db, connection, sessionId);
  const load = async (id: string) => {
    const row = await questionQuery(db).where("q.id", "=", id).executeTakeFirst();
    if (!row) throw AppError.notFound("No such question");
    return toQuestion(row);
  };
  const publish = async (id: string) => {
    const question = await load(id);
    fanout.publish(topic(question.sessionId, true), { t: "qa.updated", question });
    // Attendees never see the queue; a question leaving it (or dismissed) reaches them as an update.
    if (question.status !== "pending") fanout.publish(topic(question.sessionId, false), { t: "qa.updated", question });
    return question;
  };
  const publishSoon = coalescePerKey(200, publish);
  const premoderated = async (sessionId: string) =>
    (await db.selectFrom("qa_settings").select("premoderation").where("session_id", "=", sessionId).executeTakeFirst())?.premoderation === 1;

  router.on("qa.subscribe", {
    schema: z.strictObject({ sessionId: z.uuid() }),
    action: "qa.participate",
    access: "user",
    async handle({ sessionId }, { connection }) {
      const s = await standing(connection, sessionId);
      fanout.subscribe(connection, topic(sessionId, s.canModerate));
      let query = questionQuery(db).where("q.session_id", "=", sessionId).orderBy("q.created_at");
      if (!s.canModerate) query = query.where((eb) => eb.or([eb("q.status", "in", ["open", "answered"]), eb("q.author_id", "=", s.userId)]));
      const questions = (await query.execute()).map(toQuestion);
      const votes = await db.selectFrom("question_votes as v").innerJoin("questions as q", "q.id", "v.question_id")
        .select("v.question_id").where("q.session_id", "=", sessionId).where("v.user_id", "=", s.userId).execute();
      return { questions, myVotes: votes.map((v) => v.question_id), premoderation: await premoderated(sessionId), isHost: s.canModerate };
    },
  });

  router.on("qa.ask", {
    schema: z.strictObject({ sessionId: z.uuid(), text: z.string().trim().min(3, "Ask a little more").max(500), anonymous: z.boolean().default(false) }),
    action: "qa.participate",
    access: "user",
    write: true,
    async handle(input, { connection }) {
      const s = await standing(connection, input.sessionId);
      const id = randomUUID();
      const now = new Date().toISOString();
      const status = !s.canModerate && (await premoderated(input.sessionId)) ? "pending" : "open";
      await db.insertInto("questions").values({
        id, session_id: input.sessionId, author_id: s.userId, anonymous: input.anonymous ? 1 : 0, text: input.text, status, created_at: now, updated_at: now,
      }).execute();
      return { question: await publish(id) };
    },
  });

  router.on("qa.upvote", {
    schema: z.strictObject({ questionId: z.uuid() }),
    action: "qa.participate",
    access: "user",
    write: true,
    async handle({ questionId }, { connection }) {
      const question = await load(questionId);
      const s = await standing(connection, question.sessionId);
      if (question.status === "pending" || question.status === "dismissed") throw AppError.conflict("not_open", "This question cannot take votes");
      const votes = await db.transaction().execute(async (trx) => {
        const added = await trx.insertInto("question_votes").values({ question_id: questionId, user_id: s.userId, created_at: new Date().toISOString() })
          .onConflict((oc) => oc.columns(["question_id", "user_id"]).doNothing()).returning("question_id").executeTakeFirst();
        if (!added) throw AppError.conflict("already_voted", "You already voted for this question");
        const row = await trx.updateTable("questions").set((eb) => ({ votes: eb("votes", "+", 1) })).where("id", "=", questionId).returning("votes").executeTakeFirstOrThrow();
        return row.votes;
      });
      publishSoon(questionId);
      return { votes };
    },
  });

  router.on("qa.moderate", {
    schema: z.strictObject({
      questionId: z.uuid(),
      action: z.enum(["approve", "answer", "answer_live", "dismiss", "pin", "unpin"]),
      answer: z.string().trim().min(1).max(2_000).optional(),
    }),
    action: "event.moderate",
    access: "user",
    async handle(input, { connection }) {
      const question = await load(input.questionId);
      const s = await standing(connection, question.sessionId);
      if (!s.canModerate) throw AppError.forbidden("forbidden", "Only the session's hosts may moderate questions");
      const now = new Date().toISOString();
      await db.transaction().execute(async (trx) => {
        const update = trx.updateTable("questions").where("id", "=", question.id);
        switch (input.action) {
          case "approve":
            await update.set({ status: "open", updated_at: now }).where("status", "=", "pending").execute();
            break;
          case "answer":
            if (!input.answer) throw AppError.badRequest("answer_required", "Write the answer");
            await update.set({ status: "answered", answer: input.answer, answered_live: 0, updated_at: now }).execute();
            break;
          case "answer_live":
            await update.set({ status: "answered", answered_live: 1, pinned: 0, updated_at: now }).execute();
            break;
          case "dismiss":
            await update.set({ status: "dismissed", pinned: 0, updated_at: now }).execute();
            break;
          case "pin": {
            // One question on stage at a time.
            const others = await trx.updateTable("questions").set({ pinned: 0, updated_at: now }).where("session_id", "=", question.sessionId)
              .where("pinned", "=", 1).where("id", "!=", question.id).returning("id").execute();
            await update.set({ pinned: 1, status: question.status === "pending" ? "open" : question.status, updated_at: now }).execute();
            for (const other of others) publishSoon(other.id);
            break;
          }
          case "unpin":
            await update.set({ pinned: 0, updated_at: now }).execute();
            break;
        }
      });
      const updated = await publish(question.id);
      if ((input.action === "answer" || input.action === "answer_live") && question.status !== "answered") {
        const author = await db.selectFrom("questions").select("author_id").where("id", "=", question.id).executeTakeFirstOrThrow();
        void notifier.notify({
          userId: author.author_id, kind: "qa_answer", eventId: s.eventId, brand: s.eventTitle, dedupeKey: `qa_answer:${question.id}`,
          title: "Your question was answered", body: `“${question.text}”${input.answer ? `\n\n${input.answer}` : " was answered live."}`,
          email: false,
        }).catch(() => undefined);
      }
      return { question: updated };
    },
  });

  router.on("qa.settings", {
    schema: z.strictObject({ sessionId: z.uuid(), premoderation: z.boolean() }),
    action: "event.moderate",
    access: "user",
    async handle({ sessionId, premoderation }, { connection }) {
      const s = await standing(connection, sessionId);
      if (!s.canModerate) throw AppError.forbidden("forbidden", "Only the session's hosts may change Q&A settings");
      const values = { premoderation: premoderation ? 1 : 0, updated_at: new Date().toISOString() };
      await db.insertInto("qa_settings").values({ session_id: sessionId, ...values }).onConflict((oc) => oc.column("session_id").doUpdateSet(values)).execute();
      for (const hosts of [true, false]) fanout.publish(topic(sessionId, hosts), { t: "qa.settings", sessionId, premoderation });
      return {};
    },
  });
}
