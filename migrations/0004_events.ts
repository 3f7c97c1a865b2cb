import { type Kysely, sql } from "kysely";
import { createEventSearch } from "../server/db/search.ts";

/**
 * Events: the organizer side of an organization (logo, contact, currency, payout account,
 * commission override), events with their agenda of sessions, speakers, the event team and
 * its invitations, the invite list of invite-only events, the approval history, and a
 * full-text index for discovery. Money is integer minor units; rates are basis points
 * (1 % = 100); timestamps are ISO text and ids UUID text, as in 0001.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const orgs = () => db.schema.alterTable("organizations");
  await orgs().addColumn("logo_path", "text").execute();
  await orgs().addColumn("contact_email", "text").execute();
  await orgs().addColumn("default_currency", "text", (c) => c.notNull().defaultTo("eur")).execute();
  // Set by a platform admin; null: the platform default applies.
  await orgs().addColumn("commission_bp", "integer").execute();
  // The payment provider's connected account that receives the organizer's share.
  await orgs().addColumn("payout_account_id", "text").execute();
  await orgs().addColumn("payout_ready", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // Printed on receipts.
  await orgs().addColumn("legal_address", "text", (c) => c.notNull().defaultTo("")).execute();
  await orgs().addColumn("vat_id", "text", (c) => c.notNull().defaultTo("")).execute();

  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id").onDelete("restrict"))
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull().defaultTo(""))
    // The organizer's Markdown, and the sanitized HTML rendered from it on save.
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("description_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("cover_path", "text")
    .addColumn("category", "text", (c) => c.notNull().defaultTo(""))
    // JSON array of lower-case tags.
    .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("language", "text", (c) => c.notNull().defaultTo("en"))
    // IANA zone the event happens in; times are stored in UTC and shown in the viewer's zone.
    .addColumn("time_zone", "text", (c) => c.notNull())
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text", (c) => c.notNull())
    .addColumn("venue_type", "text", (c) => c.notNull().defaultTo("online").check(sql`venue_type in ('online', 'hybrid', 'in_person')`))
    .addColumn("venue_address", "text", (c) => c.notNull().defaultTo(""))
    // Whole-event attendance limit across ticket types; null: only ticket quantities limit.
    .addColumn("capacity", "integer")
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("visibility", "text", (c) => c.notNull().defaultTo("public").check(sql`visibility in ('public', 'unlisted', 'invite_only')`))
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("draft").check(sql`status in ('draft', 'submitted', 'changes_requested', 'approved', 'rejected', 'cancelled')`),
    )
    // The last admin decision's comment, shown to the organizer.
    .addColumn("review_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("submitted_at", "text")
    .addColumn("approved_at", "text")
    .addColumn("cancelled_at", "text")
    .addColumn("cancel_reason", "text", (c) => c.notNull().defaultTo(""))
    // SHA-256 of the access code that opens an invite-only event (and hidden ticket types).
    .addColumn("access_code_hash", "text")
    // Private one-to-one chat between participants.
    .addColumn("private_messages", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("vat_rate_bp", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("vat_inclusive", "integer", (c) => c.notNull().defaultTo(1))
    // Self-service cancellation: hours before the start it closes (null: not allowed) and the fee kept.
    .addColumn("cancel_deadline_hours", "integer")
    .addColumn("cancel_fee_bp", "integer", (c) => c.notNull().defaultTo(0))
    // JSON array of minutes before each session when attendees are reminded.
    .addColumn("reminder_offsets", "text", (c) => c.notNull().defaultTo("[1440,60]"))
    // Minutes seats stay held during checkout.
    .addColumn("hold_minutes", "integer", (c) => c.notNull().defaultTo(15))
    .addColumn("created_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_organization").on("events").column("organization_id").execute();
  // Discovery: approved public events by start time.
  await db.schema.createIndex("events_listing").on("events").columns(["visibility", "status", "starts_at"]).execute();

  await db.schema
    .createTable("event_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text", (c) => c.notNull())
    .addColumn("track", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("capacity", "integer")
    .addColumn("live_room", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("recording", "integer", (c) => c.notNull().defaultTo(0))
    // Who enters the room without knocking once the host has opened it.
    .addColumn("lobby_mode", "text", (c) => c.notNull().defaultTo("ticket_holders").check(sql`lobby_mode in ('ticket_holders', 'knock')`))
    .addColumn("max_peers", "integer")
    .addColumn("max_publishers", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("event_sessions_event").on("event_sessions").columns(["event_id", "starts_at"]).execute();

  await db.schema
    .createTable("speakers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    // A linked account gets speaker rights in this event's rooms.
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("photo_path", "text")
    .addColumn("bio", "text", (c) => c.notNull().defaultTo(""))
    // JSON array of {label, url}.
    .addColumn("links", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("speakers_event").on("speakers").column("event_id").execute();
  await db.schema.createIndex("speakers_user").on("speakers").column("user_id").execute();

  await db.schema
    .createTable("session_speakers")
    .addColumn("session_id", "text", (c) => c.notNull().references("event_sessions.id").onDelete("cascade"))
    .addColumn("speaker_id", "text", (c) => c.notNull().references("speakers.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("session_speakers_pk", ["session_id", "speaker_id"])
    .execute();

  await db.schema
    .createTable("event_team")
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner', 'co_host', 'moderator', 'check_in_staff')`))
    .addColumn("added_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_team_pk", ["event_id", "user_id"])
    .execute();
  await db.schema.createIndex("event_team_user").on("event_team").column("user_id").execute();

  await db.schema
    .createTable("event_team_invites")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('co_host', 'moderator', 'check_in_staff')`))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("invited_by", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("accepted_at", "text")
    .execute();
  await db.schema.createIndex("event_team_invites_event").on("event_team_invites").columns(["event_id", "email"]).execute();

  // Who may see and register for an invite-only event (besides holders of its access code).
  await db.schema
    .createTable("event_invitees")
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_invitees_pk", ["event_id", "email"])
    .execute();

  // Every approval step: submissions, decisions with the admin's comment, re-reviews.
  await db.schema
    .createTable("event_reviews")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("actor_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("decision", "text", (c) =>
      c.notNull().check(sql`decision in ('submitted', 'approved', 'changes_requested', 'rejected', 're_review')`),
    )
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("event_reviews_event").on("event_reviews").columns(["event_id", "created_at"]).execute();

  // Discovery search: FTS5 on SQLite, a tsvector column on PostgreSQL.
  await createEventSearch(db);
}
