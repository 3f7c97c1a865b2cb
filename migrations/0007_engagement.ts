import { type Kysely, sql } from "kysely";
import { autoIncrementingKey } from "../server/db/dialect.ts";

/**
 * Chat, polls, Q&A and notifications. Chat messages have an integer id that only grows,
 * so one channel's messages are ordered by it and a client resumes after the last id it
 * saw. A channel is a text key (`event:<id>`, `session:<id>`, `backstage:<id>`,
 * `dm:<event>:<user>:<user>`). Timestamps are ISO text and other ids UUID text, as in 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("chat_messages")
    .addColumn("id", "integer", autoIncrementingKey(db))
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("author_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("reply_to", "integer")
    // JSON array of the user ids the author mentioned.
    .addColumn("mentions", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("deleted_at", "text")
    .addColumn("deleted_by", "text")
    .execute();
  await db.schema.createIndex("chat_messages_channel").on("chat_messages").columns(["channel", "id"]).execute();
  // Slow mode: the author's last message in a channel.
  await db.schema.createIndex("chat_messages_author").on("chat_messages").columns(["channel", "author_id", "id"]).execute();

  await db.schema
    .createTable("chat_reactions")
    .addColumn("message_id", "integer", (c) => c.notNull().references("chat_messages.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("emoji", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("chat_reactions_pk", ["message_id", "user_id", "emoji"])
    .execute();

  // A channel's moderation state; a channel with no row has the defaults.
  await db.schema
    .createTable("chat_channels")
    .addColumn("channel", "text", (c) => c.primaryKey())
    .addColumn("slow_mode_seconds", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pinned_message_id", "integer")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("chat_mutes")
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("until", "text", (c) => c.notNull())
    .addColumn("muted_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addPrimaryKeyConstraint("chat_mutes_pk", ["channel", "user_id"])
    .execute();

  await db.schema
    .createTable("chat_reports")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("message_id", "integer", (c) => c.notNull().references("chat_messages.id").onDelete("cascade"))
    .addColumn("reporter_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("chat_reports_once", ["message_id", "reporter_id"])
    .execute();

  // Neither side of a block sees the other's messages.
  await db.schema
    .createTable("user_blocks")
    .addColumn("blocker_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("blocked_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("user_blocks_pk", ["blocker_id", "blocked_id"])
    .execute();
  await db.schema.createIndex("user_blocks_blocked").on("user_blocks").column("blocked_id").execute();

  // Unread counts: the last message id each user has seen per channel.
  await db.schema
    .createTable("chat_reads")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("last_read_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("chat_reads_pk", ["user_id", "channel"])
    .execute();

  await db.schema
    .createTable("polls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("question", "text", (c) => c.notNull())
    .addColumn("multiple", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("anonymous", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("allow_change", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("results_visibility", "text", (c) => c.notNull().defaultTo("all").check(sql`results_visibility in ('all', 'hosts')`))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft").check(sql`status in ('draft', 'open', 'closed')`))
    .addColumn("created_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("polls_session").on("polls").columns(["session_id", "created_at"]).execute();

  await db.schema
    .createTable("poll_options")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("poll_id", "text", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("poll_options_poll").on("poll_options").columns(["poll_id", "position"]).execute();

  await db.schema
    .createTable("poll_votes")
    .addColumn("poll_id", "text", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("option_id", "text", (c) => c.notNull().references("poll_options.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("poll_votes_pk", ["poll_id", "user_id", "option_id"])
    .execute();

  await db.schema
    .createTable("questions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("author_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("anonymous", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'open', 'answered', 'dismissed')`))
    .addColumn("answered_live", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("answer", "text")
    .addColumn("pinned", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("votes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("questions_session").on("questions").columns(["session_id", "created_at"]).execute();

  await db.schema
    .createTable("question_votes")
    .addColumn("question_id", "text", (c) => c.notNull().references("questions.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("question_votes_pk", ["question_id", "user_id"])
    .execute();

  await db.schema
    .createTable("qa_settings")
    .addColumn("session_id", "text", (c) => c.primaryKey().references("event_sessions.id").onDelete("cascade"))
    .addColumn("premoderation", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // The in-app inbox. `dedupe_key` makes a notification (and the e-mail sent with it) happen once.
  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("link", "text")
    .addColumn("event_id", "text", (c) => c.references("events.id").onDelete("cascade"))
    .addColumn("dedupe_key", "text", (c) => c.unique())
    // 0 when the user turned in-app notifications of this kind off: kept only so it happens once.
    .addColumn("in_app", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("read_at", "text")
    .execute();
  await db.schema.createIndex("notifications_user").on("notifications").columns(["user_id", "created_at"]).execute();

  // The times attendees were last told of, so a move is noticed (and announced) once.
  await db.schema
    .createTable("session_schedules")
    .addColumn("session_id", "text", (c) => c.primaryKey().references("event_sessions.id").onDelete("cascade"))
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("announcements")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    // Null: every ticket holder of the event.
    .addColumn("session_id", "text", (c) => c.references("event_sessions.id").onDelete("cascade"))
    .addColumn("author_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("recipients", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("announcements_event").on("announcements").columns(["event_id", "created_at"]).execute();
}
