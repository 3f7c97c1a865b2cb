/**
 * Averages with counts, testimonials and comment lists, as public pages show them. Every
 * rating counts in the averages; an admin's hiding removes only the comment (and its reply)
 * from what anyone sees.
 */
import { type Kysely, sql } from "kysely";
import type { DB, FeedbackTargetType } from "../db/schema.ts";

export type RatingSummary = { average: number | null; count: number; distribution: [number, number, number, number, number] };
export type PublicComment = {
  id: string;
  targetType: FeedbackTargetType;
  targetId: string;
  stars: number;
  comment: string;
  author: string;
  reply: string;
  repliedAt: string | null;
  featured: boolean;
  createdAt: string;
};

const EMPTY: RatingSummary = { average: null, count: 0, distribution: [0, 0, 0, 0, 0] };

/** Average rounded to two decimals, the count, and how many gave 1..5 stars, per target id. */
export async function summarize(db: Kysely<DB>, type: FeedbackTargetType, ids: string[]): Promise<Map<string, RatingSummary>> {
  const result = new Map<string, RatingSummary>(ids.map((id) => [id, { ...EMPTY, distribution: [0, 0, 0, 0, 0] }]));
  if (ids.length === 0) return result;
  const rows = await db
    .selectFrom("feedback_ratings")
    .select(["target_id", "stars", sql<number>`count(*)`.as("n")])
    .where("target_type", "=", type)
    .where("target_id", "in", ids)
    .groupBy(["target_id", "stars"])
    .execute();
  for (const row of rows) result.get(row.target_id)!.distribution[row.stars - 1] = Number(row.n);
  for (const summary of result.values()) {
    summary.count = summary.distribution.reduce((a, b) => a + b, 0);
    const total = summary.distribution.reduce((sum, n, i) => sum + n * (i + 1), 0);
    summary.average = summary.count === 0 ? null : Math.round((total / summary.count) * 100) / 100;
  }
  return result;
}

export async function summaryOf(db: Kysely<DB>, type: FeedbackTargetType, id: string): Promise<RatingSummary> {
  return (await summarize(db, type, [id])).get(id)!;
}

/** Visible comments (not hidden, not empty), newest first; `featuredOnly` for testimonials. */
export async function publicComments(
  db: Kysely<DB>,
  filter: { eventId?: string; targetType?: FeedbackTargetType; targetIds?: string[]; featuredOnly?: boolean; limit?: number },
): Promise<PublicComment[]> {
  let query = db
    .selectFrom("feedback_ratings as r")
    .innerJoin("users as u", "u.id", "r.user_id")
    .select(["r.id", "r.target_type", "r.target_id", "r.stars", "r.comment", "r.reply", "r.replied_at", "r.featured", "r.created_at", "u.display_name"])
    .where("r.hidden_at", "is", null)
    .where("r.comment", "!=", "");
  if (filter.eventId) query = query.where("r.event_id", "=", filter.eventId);
  if (filter.targetType) query = query.where("r.target_type", "=", filter.targetType);
  if (filter.targetIds) query = query.where("r.target_id", "in", filter.targetIds.length ? filter.targetIds : [""]);
  if (filter.featuredOnly) query = query.where("r.featured", "=", 1);
  const rows = await query.orderBy("r.created_at", "desc").limit(filter.limit ?? 100).execute();
  return rows.map((r) => ({
    id: r.id,
    targetType: r.target_type,
    targetId: r.target_id,
    stars: r.stars,
    comment: r.comment,
    author: shortName(r.display_name),
    reply: r.reply,
    repliedAt: r.replied_at,
    featured: r.featured === 1,
    createdAt: r.created_at,
  }));
}

/** "Ada Lovelace" → "Ada L.": a comment is public, its author's full name need not be. */
export function shortName(displayName: string): string {
  const [first, ...rest] = displayName.trim().split(/\s+/);
  const last = rest.at(-1);
  return last ? `${first} ${last[0]!.toUpperCase()}.` : first || "Attendee";
}
