import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "./migrate.ts";
import { openSqlite } from "./sqlite.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Columns the TypeScript schema (schema.ts) names, table by table. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  users: [
    "id", "email", "display_name", "password_hash", "role", "created_at", "updated_at",
    "email_verified_at", "banned_at", "ban_reason", "bio", "avatar_path", "time_zone", "language",
    "interests", "notification_prefs", "password_changed_at",
  ],
  settings: ["key", "value", "updated_at"],
  sessions: ["id", "token_hash", "user_id", "created_at", "last_seen_at", "expires_at", "user_agent", "ip"],
  email_tokens: ["id", "token_hash", "user_id", "purpose", "email", "created_at", "expires_at", "used_at"],
  organizations: ["id", "name", "slug", "created_at", "updated_at", "logo_path", "contact_email", "default_currency", "commission_bp", "payout_account_id", "payout_ready", "legal_address", "vat_id"],
  organization_members: ["organization_id", "user_id", "role", "created_at"],
  audit_log: ["id", "at", "actor_id", "actor_kind", "action", "target_type", "target_id", "before", "after", "ip"],
  outbox: ["id", "created_at", "to_address", "template", "subject", "text_body", "html_body", "status", "sent_at", "error", "attachments"],
  api_tokens: ["id", "token_hash", "user_id", "name", "scopes", "created_at", "last_used_at", "expires_at"],
  refresh_tokens: ["id", "token_hash", "user_id", "family_id", "created_at", "expires_at", "used_at"],
  oauth_accounts: ["provider", "provider_user_id", "user_id", "email", "created_at"],
  jobs: [
    "id", "kind", "key", "payload", "status", "run_at", "attempts", "max_attempts", "last_error",
    "locked_by", "locked_until", "created_at", "updated_at", "finished_at",
  ],
  events: ["id", "organization_id", "slug", "title", "summary", "description", "description_html", "cover_path", "category", "tags", "language", "time_zone", "starts_at", "ends_at", "venue_type", "venue_address", "capacity", "currency", "visibility", "status", "review_comment", "submitted_at", "approved_at", "cancelled_at", "cancel_reason", "access_code_hash", "private_messages", "vat_rate_bp", "vat_inclusive", "cancel_deadline_hours", "cancel_fee_bp", "reminder_offsets", "hold_minutes", "created_by", "created_at", "updated_at"],
  event_sessions: ["id", "event_id", "title", "description", "starts_at", "ends_at", "track", "capacity", "live_room", "recording", "lobby_mode", "max_peers", "max_publishers", "created_at", "updated_at"],
  speakers: ["id", "event_id", "user_id", "name", "title", "photo_path", "bio", "links", "position", "created_at", "updated_at"],
  session_speakers: ["session_id", "speaker_id"],
  event_team: ["event_id", "user_id", "role", "added_by", "created_at"],
  event_invitees: ["event_id", "email", "created_at"],
  event_reviews: ["id", "event_id", "actor_id", "decision", "comment", "created_at"],
  ticket_types: ["id", "event_id", "name", "description", "price", "currency", "quantity", "held", "sold", "sale_starts_at", "sale_ends_at", "min_per_order", "max_per_order", "hidden", "access_code_hash", "position", "created_at", "updated_at"],
  ticket_type_sessions: ["ticket_type_id", "session_id"],
  promo_codes: ["id", "event_id", "code", "kind", "value", "max_uses", "used", "valid_from", "valid_until", "ticket_type_ids", "created_at"],
  registration_questions: ["id", "event_id", "label", "kind", "choices", "required", "position", "created_at"],
  orders: ["id", "event_id", "user_id", "buyer_name", "buyer_email", "status", "currency", "subtotal", "discount", "tax", "total", "refunded", "commission", "vat_rate_bp", "vat_inclusive", "promo_code_id", "provider", "checkout_id", "payment_id", "hold_expires_at", "idempotency_key", "created_at", "updated_at", "paid_at", "cancelled_at", "dispute_status", "idempotency_fingerprint", "payment_problem"],
  order_items: ["id", "order_id", "ticket_type_id", "unit_amount", "discount", "holder_name", "holder_email", "answers"],
  tickets: ["id", "order_id", "order_item_id", "event_id", "ticket_type_id", "user_id", "holder_name", "holder_email", "status", "status_reason", "code", "created_at", "updated_at", "short_code"],
  refunds: ["id", "order_id", "provider_refund_id", "amount", "status", "reason", "ticket_ids", "created_by", "created_at", "settled_at"],
  disputes: ["id", "order_id", "provider_dispute_id", "amount", "currency", "status", "reason", "created_at", "updated_at"],
  payment_events: ["provider", "event_id", "type", "created", "processed_at"],
  ledger_entries: ["id", "organization_id", "event_id", "order_id", "kind", "amount", "currency", "reference", "created_at"],
  waitlist_entries: ["id", "event_id", "ticket_type_id", "user_id", "email", "status", "offer_token_hash", "offer_expires_at", "created_at"],
  checkin_lists: ["id", "event_id", "name", "ticket_type_ids", "created_at", "updated_at"],
  checkins: ["id", "list_id", "ticket_id", "nonce", "source", "scanned_by", "scanned_at", "synced_at"],
  room_bans: ["session_id", "user_id", "banned_by", "created_at"],
  session_attendance: ["session_id", "user_id", "first_joined_at", "last_joined_at", "joins"],
  checkout_buckets: ["key", "tokens", "per_minute", "at", "capacity"],
  room_grants: ["session_id", "user_id", "role", "granted_by", "granted_at"],
  invitations: ["id", "kind", "organization_id", "event_id", "speaker_id", "role", "email", "token_hash", "invited_by", "created_at", "sent_at", "expires_at", "accepted_at", "accepted_by", "revoked_at"],
};

describe("database", () => {
  it("migrates an empty file to the latest schema, once", async () => {
    const file = path.join(dir, "fresh", "plenary.sqlite");
    const db = openSqlite({ file });
    const first = await migrateToLatest(db as Kysely<unknown>);
    expect(first.map((m) => [m.migrationName, m.status])).toContainEqual(["0001_initial", "Success"]);
    expect(first.map((m) => [m.migrationName, m.status])).toContainEqual(["0002_accounts", "Success"]);
    expect(await migrateToLatest(db as Kysely<unknown>)).toEqual([]);
    await db.destroy();

    const raw = new SQLite(file, { readonly: true });
    for (const [table, columns] of Object.entries(EXPECTED_COLUMNS)) {
      const actual = (raw.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
      expect(actual, table).toEqual(columns);
    }
    raw.close();
  });

  it("opens with WAL, foreign keys and a busy timeout", async () => {
    const file = path.join(dir, "pragmas.sqlite");
    const db = openSqlite({ file, busyTimeoutMs: 1234 });
    await migrateToLatest(db as Kysely<unknown>);
    const raw = new SQLite(file);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    // Pragmas foreign_keys and busy_timeout are per connection: read them through kysely's.
    const { sql } = await import("kysely");
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
    const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
    expect(fk.rows[0].foreign_keys).toBe(1);
    expect(busy.rows[0].timeout).toBe(1234);
    await db.destroy();
  });

  it("commits with synchronous = FULL unless database.synchronous says normal", async () => {
    const { sql } = await import("kysely");
    // 2 is FULL, 1 is NORMAL; per connection, so read through kysely's own.
    for (const [synchronous, expected] of [[undefined, 2], ["full", 2], ["normal", 1]] as const) {
      const db = openSqlite({ file: path.join(dir, `sync-${synchronous}.sqlite`), synchronous });
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      expect(rows[0].synchronous, String(synchronous)).toBe(expected);
      await db.destroy();
    }
  });

  it("enforces the role check constraint", async () => {
    const db = openSqlite({ file: path.join(dir, "check.sqlite") });
    await migrateToLatest(db as Kysely<unknown>);
    const now = new Date().toISOString();
    await expect(
      db
        .insertInto("users")
        .values({ id: "u1", email: "a@b.c", display_name: "A", password_hash: null, role: "root" as "admin", created_at: now, updated_at: now })
        .execute(),
    ).rejects.toThrow(/CHECK constraint failed/);
    await db.destroy();
  });
});
