/**
 * Migration 0021 on a database that has rows from before it: disputes and orders that kept
 * Stripe's dispute status names get Plenary's, orders disputed before they had a dispute
 * status get their dispute's, and the checkout buckets table appears.
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

const dir = mkdtempSync(path.join(tmpdir(), "plenary-0021-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Old rows: one order per case, each with its dispute; `order` is the order's dispute_status before 0021. */
const CASES = [
  { dispute: "needs_response", order: null, expect: { dispute: "open", order: "open" } },
  { dispute: "under_review", order: "under_review", expect: { dispute: "open", order: "open" } },
  { dispute: "warning_needs_response", order: null, expect: { dispute: "inquiry", order: null } },
  { dispute: "warning_under_review", order: "warning_under_review", expect: { dispute: "inquiry", order: null } },
  { dispute: "warning_closed", order: null, expect: { dispute: "closed", order: null } },
  { dispute: "prevented", order: null, expect: { dispute: "closed", order: null } },
  { dispute: "won", order: null, expect: { dispute: "won", order: "won" } },
  { dispute: "lost", order: "lost", expect: { dispute: "lost", order: "lost" } },
  { dispute: "appeal_under_review", order: null, expect: { dispute: "open", order: "open" } },
  // Already Plenary's (written by the last session's code): left as they are.
  { dispute: "inquiry", order: null, expect: { dispute: "inquiry", order: null } },
  { dispute: "won", order: "won", expect: { dispute: "won", order: "won" } },
] as const;

describe("migration 0021", () => {
  it("maps old dispute statuses to Plenary's on disputes and orders", async () => {
    const file = path.join(dir, "old.sqlite");
    const db = openSqlite({ file });
    const migrator = new Migrator({ db: db as Kysely<unknown>, provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }) });
    const before = await migrator.migrateTo("0020_outbox_attachments");
    expect(before.error).toBeUndefined();

    const raw = new SQLite(file);
    const now = "2026-01-10T10:00:00.000Z";
    raw.prepare("insert into organizations (id, name, slug, created_at, updated_at) values ('org', 'Old Org', 'old-org', ?, ?)").run(now, now);
    raw
      .prepare("insert into events (id, organization_id, slug, title, time_zone, starts_at, ends_at, currency, created_at, updated_at) values ('ev', 'org', 'old-event', 'Old Event', 'UTC', ?, ?, 'eur', ?, ?)")
      .run(now, now, now, now);
    const insertOrder = raw.prepare(
      "insert into orders (id, event_id, user_id, buyer_name, buyer_email, status, currency, subtotal, total, provider, payment_id, created_at, updated_at, paid_at, dispute_status) values (?, 'ev', null, 'B', 'b@example.org', 'paid', 'eur', 1000, 1000, 'stripe', ?, ?, ?, ?, ?)",
    );
    const insertDispute = raw.prepare("insert into disputes (id, order_id, provider_dispute_id, amount, currency, status, reason, created_at, updated_at) values (?, ?, ?, 1000, 'eur', ?, 'fraudulent', ?, ?)");
    CASES.forEach((c, i) => {
      insertOrder.run(`o${i}`, `pi_${i}`, now, now, now, c.order);
      insertDispute.run(`d${i}`, `o${i}`, `dp_${i}`, c.dispute, now, now);
    });
    // A dispute on a payment no order has, and an order never disputed.
    insertDispute.run("d-orphan", null, "dp_orphan", "warning_needs_response", now, now);
    insertOrder.run("o-quiet", "pi_quiet", now, now, now, null);
    raw.close();

    const applied = await migrateToLatest(db as Kysely<unknown>);
    expect(applied.map((m) => m.migrationName)).toContain("0021_dispute_states_and_checkout_buckets");
    await db.destroy();

    const after = new SQLite(file, { readonly: true });
    const row = (i: number) => after.prepare("select d.status as dispute, o.dispute_status as 'order' from disputes d join orders o on o.id = d.order_id where d.id = ?").get(`d${i}`);
    CASES.forEach((c, i) => expect(row(i), `${c.dispute} / ${c.order}`).toEqual(c.expect));
    expect(after.prepare("select status from disputes where id = 'd-orphan'").get()).toEqual({ status: "inquiry" });
    expect(after.prepare("select dispute_status from orders where id = 'o-quiet'").get()).toEqual({ dispute_status: null });
    // Every status is one of Plenary's now.
    expect(after.prepare("select distinct status from disputes order by status").all().map((r) => (r as { status: string }).status)).toEqual(["closed", "inquiry", "lost", "open", "won"]);
    // 0024 adds a capacity after these.
    expect((after.pragma("table_info(checkout_buckets)") as { name: string }[]).map((c) => c.name).slice(0, 4)).toEqual(["key", "tokens", "per_minute", "at"]);
    after.close();
  });
});
