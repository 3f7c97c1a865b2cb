/**
 * The organizer's report: the event's and organizer's averages, each session and speaker,
 * an NPS-style summary of the event ratings (5 stars: promoter, 4: passive, 1–3: detractor;
 * score = % promoters − % detractors), survey question results, and every rating as CSV.
 */
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { csvField } from "../revenue/reports.ts";
import { type RatingSummary, summarize, summaryOf } from "./summaries.ts";

export type NpsSummary = { promoters: number; passives: number; detractors: number; responses: number; score: number | null };

export function npsOf(summary: RatingSummary): NpsSummary {
  const [one, two, three, four, five] = summary.distribution;
  const responses = summary.count;
  const detractors = one + two + three;
  return {
    promoters: five,
    passives: four,
    detractors,
    responses,
    score: responses === 0 ? null : Math.round(((five - detractors) / responses) * 100),
  };
}

export async function feedbackReport(db: Kysely<DB>, eventId: string) {
  const event = await db.selectFrom("events").select(["id", "title", "organization_id"]).where("id", "=", eventId).executeTakeFirstOrThrow();
  const [sessions, speakers, questions] = await Promise.all([
    db.selectFrom("event_sessions").select(["id", "title", "starts_at"]).where("event_id", "=", eventId).orderBy("starts_at").execute(),
    db.selectFrom("speakers").select(["id", "name"]).where("event_id", "=", eventId).orderBy("position").orderBy("name").execute(),
    db.selectFrom("feedback_questions").select(["id", "label", "kind"]).where("event_id", "=", eventId).orderBy("position").orderBy("created_at").execute(),
  ]);
  const [sessionSummaries, speakerSummaries, eventSummary, organizerSummary] = await Promise.all([
    summarize(db, "session", sessions.map((s) => s.id)),
    summarize(db, "speaker", speakers.map((s) => s.id)),
    summaryOf(db, "event", eventId),
    summaryOf(db, "organizer", event.organization_id),
  ]);
  const answers = questions.length
    ? await db.selectFrom("feedback_answers").select(["question_id", "value"]).where("question_id", "in", questions.map((q) => q.id)).execute()
    : [];
  return {
    event: { id: event.id, title: event.title, ...eventSummary },
    organizer: { id: event.organization_id, ...organizerSummary },
    nps: npsOf(eventSummary),
    sessions: sessions.map((s) => ({ id: s.id, title: s.title, startsAt: s.starts_at, ...sessionSummaries.get(s.id)! })),
    speakers: speakers.map((s) => ({ id: s.id, name: s.name, ...speakerSummaries.get(s.id)! })),
    questions: questions.map((q) => {
      const values = answers.filter((a) => a.question_id === q.id).map((a) => a.value);
      const stars = q.kind === "stars" ? values.map(Number) : [];
      return {
        ...q,
        responses: values.length,
        average: stars.length ? Math.round((stars.reduce((a, b) => a + b, 0) / stars.length) * 100) / 100 : null,
        texts: q.kind === "text" ? values : [],
      };
    }),
  };
}

/** Every rating of the event, one line each (RFC 4180), hidden ones marked. */
export async function feedbackCsv(db: Kysely<DB>, eventId: string): Promise<string> {
  const rows = await db
    .selectFrom("feedback_ratings as r")
    .leftJoin("event_sessions as s", (j) => j.onRef("s.id", "=", "r.target_id").on("r.target_type", "=", "session"))
    .leftJoin("speakers as sp", (j) => j.onRef("sp.id", "=", "r.target_id").on("r.target_type", "=", "speaker"))
    .select(["r.target_type", "r.target_id", "r.stars", "r.comment", "r.reply", "r.featured", "r.hidden_at", "r.created_at", "r.updated_at", "s.title as session_title", "sp.name as speaker_name"])
    .where("r.event_id", "=", eventId)
    .orderBy("r.target_type")
    .orderBy("r.created_at")
    .execute();
  const header = ["target_type", "target_id", "target", "stars", "comment", "reply", "featured", "hidden", "created_at", "updated_at"];
  const lines = [header.join(",")];
  for (const r of rows) {
    const target = r.session_title ?? r.speaker_name ?? r.target_type;
    const fields = [r.target_type, r.target_id, target, String(r.stars), r.comment, r.reply, r.featured ? "yes" : "no", r.hidden_at ? "yes" : "no", r.created_at, r.updated_at];
    lines.push(fields.map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
