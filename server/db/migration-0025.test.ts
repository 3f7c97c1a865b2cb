/**
 * Migration 0025 on a database with tickets from before door codes: every ticket gets one,
 * in the door-code alphabet, and no two tickets of an event share one.
 */
import { promises as fs, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import { FileMigrationProvider, Migrator } from "kysely/migration";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrateToLatest } from "./migrate.ts";
import { openSqlite } from "./sqlite.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-0025-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("migration 0025", () => {
  it("gives every existing ticket a door code, unique within its event", async () => {
    const file = path.join(dir, "old.sqlite");
    const db = openSqlite({ file });
    const migrator = new Migrator({ db: db as Kysely<unknown>, provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }) });
    expect((await migrator.migrateTo("0022_room_grants")).error).toBeUndefined();

    const raw = new SQLite(file);
    const now = "2026-01-10T10:00:00.000Z";
    raw.prepare("insert into organizations (id, name, slug, created_at, updated_at) values ('org', 'Old Org', 'old-org', ?, ?)").run(now, now);
    for (const ev of ["ev1", "ev2"]) {
      raw.prepare("insert into events (id, organization_id, slug, title, time_zone, starts_at, ends_at, currency, created_at, updated_at) values (?, 'org', ?, 'Old', 'UTC', ?, ?, 'eur', ?, ?)").run(ev, ev, now, now, now, now);
      raw.prepare("insert into ticket_types (id, event_id, name, price, currency, quantity, created_at, updated_at) values (?, ?, 'General', 0, 'eur', 500, ?, ?)").run(`tt-${ev}`, ev, now, now);
      raw.prepare("insert into orders (id, event_id, buyer_name, buyer_email, status, currency, subtotal, total, provider, created_at, updated_at) values (?, ?, 'B', 'b@example.org', 'paid', 'eur', 0, 0, 'free', ?, ?)").run(`o-${ev}`, ev, now, now);
      for (let i = 0; i < 150; i++) {
        raw.prepare("insert into order_items (id, order_id, ticket_type_id, unit_amount, holder_name, holder_email) values (?, ?, ?, 0, 'H', 'h@example.org')").run(`oi-${ev}-${i}`, `o-${ev}`, `tt-${ev}`);
        raw.prepare("insert into tickets (id, order_id, order_item_id, event_id, ticket_type_id, holder_name, holder_email, code, created_at, updated_at) values (?, ?, ?, ?, ?, 'H', 'h@example.org', 'c', ?, ?)")
          .run(`t-${ev}-${i}`, `o-${ev}`, `oi-${ev}-${i}`, ev, `tt-${ev}`, now, now);
      }
    }
    raw.close();

    const applied = await migrateToLatest(db as Kysely<unknown>);
    expect(applied.map((m) => m.migrationName)).toContain("0025_ticket_short_codes");
    await db.destroy();

    const after = new SQLite(file, { readonly: true });
    const rows = after.prepare("select event_id, short_code from tickets").all() as { event_id: string; short_code: string | null }[];
    expect(rows).toHaveLength(300);
    for (const r of rows) expect(r.short_code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    for (const ev of ["ev1", "ev2"]) expect(new Set(rows.filter((r) => r.event_id === ev).map((r) => r.short_code)).size).toBe(150);
    after.close();
    // The index keeps it so: a second ticket with an event's existing code is refused.
    const write = new SQLite(file);
    const taken = rows.find((r) => r.event_id === "ev1")!.short_code;
    expect(() => write.prepare("update tickets set short_code = ? where id = 't-ev1-0' or id = 't-ev1-1'").run(taken)).toThrow(/UNIQUE/);
    write.close();
  });
});
