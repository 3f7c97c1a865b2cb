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
  organizations: ["id", "name", "slug", "created_at", "updated_at"],
  organization_members: ["organization_id", "user_id", "role", "created_at"],
  audit_log: ["id", "at", "actor_id", "actor_kind", "action", "target_type", "target_id", "before", "after", "ip"],
  outbox: ["id", "created_at", "to_address", "template", "subject", "text_body", "html_body", "status", "sent_at", "error"],
  api_tokens: ["id", "token_hash", "user_id", "name", "scopes", "created_at", "last_used_at", "expires_at"],
  refresh_tokens: ["id", "token_hash", "user_id", "family_id", "created_at", "expires_at", "used_at"],
  oauth_accounts: ["provider", "provider_user_id", "user_id", "email", "created_at"],
  jobs: [
    "id", "kind", "key", "payload", "status", "run_at", "attempts", "max_attempts", "last_error",
    "locked_by", "locked_until", "created_at", "updated_at", "finished_at",
  ],
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
