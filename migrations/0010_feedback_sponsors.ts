import { type Kysely, sql } from "kysely";

/**
 * Feedback and sponsors. Ratings: 1–5 stars and an optional comment, one per attendee per
 * target (the event, a session, a speaker, the organizer), with the organizer's public reply,
 * a featured flag for testimonials and an admin's hiding. Survey questions an organizer adds,
 * with one answer per attendee. Invitations to rate, one per person and target, so the job
 * that sends them can run again safely. Sponsors in tiers, and their impressions and clicks
 * counted per day and placement. Timestamps are ISO text and ids UUID text, as in 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("feedback_ratings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("target_type", "text", (c) => c.notNull().check(sql`target_type in ('event', 'session', 'speaker', 'organizer')`))
    // The event's, session's or speaker's id; the organization's for 'organizer'.
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("stars", "integer", (c) => c.notNull().check(sql`stars between 1 and 5`))
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("reply", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("replied_at", "text")
    .addColumn("featured", "integer", (c) => c.notNull().defaultTo(0))
    // Set by a platform admin: the comment (not the stars) disappears from every page.
    .addColumn("hidden_at", "text")
    .addColumn("hidden_reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("reported_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("feedback_ratings_one_each", ["user_id", "target_type", "target_id"])
    .execute();
  await db.schema.createIndex("feedback_ratings_target").on("feedback_ratings").columns(["target_type", "target_id"]).execute();
  await db.schema.createIndex("feedback_ratings_event").on("feedback_ratings").column("event_id").execute();

  await db.schema
    .createTable("feedback_questions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('stars', 'text')`))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("feedback_questions_event").on("feedback_questions").column("event_id").execute();

  await db.schema
    .createTable("feedback_answers")
    .addColumn("question_id", "text", (c) => c.notNull().references("feedback_questions.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    // 1–5 for 'stars' questions, free text for 'text' ones.
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("feedback_answers_pk", ["question_id", "user_id"])
    .execute();

  await db.schema
    .createTable("feedback_invitations")
    .addColumn("target_type", "text", (c) => c.notNull().check(sql`target_type in ('event', 'session')`))
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("feedback_invitations_pk", ["target_type", "target_id", "user_id"])
    .execute();

  await db.schema
    .createTable("sponsor_tiers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("logo_size", "text", (c) => c.notNull().defaultTo("medium").check(sql`logo_size in ('small', 'medium', 'large')`))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sponsor_tiers_event").on("sponsor_tiers").column("event_id").execute();

  await db.schema
    .createTable("sponsors")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("tier_id", "text", (c) => c.references("sponsor_tiers.id").onDelete("set null"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    // https addresses of images the sponsor hosts, and where a click goes.
    .addColumn("logo_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("banner_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("link", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sponsors_event").on("sponsors").column("event_id").execute();

  // Counters, not rows per view: one row per sponsor, day and placement.
  await db.schema
    .createTable("sponsor_stats")
    .addColumn("sponsor_id", "text", (c) => c.notNull().references("sponsors.id").onDelete("cascade"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("placement", "text", (c) => c.notNull().check(sql`placement in ('event_page', 'lobby', 'room', 'overlay')`))
    .addColumn("impressions", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("clicks", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("sponsor_stats_pk", ["sponsor_id", "day", "placement"])
    .execute();
}
