/**
 * PostgreSQL as the second database: every migration runs there and yields the same tables
 * and columns as on SQLite, and the constructs that differ (search, counts, growing ids)
 * behave alike through the dialect seam.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../../test/support/postgres.ts";
import { dialectOf } from "./dialect.ts";
import { migrateToLatest } from "./migrate.ts";
import { openPostgres, redactDatabaseUrl } from "./postgres.ts";
import type { DB } from "./schema.ts";
import { eventSearch, searchWords } from "./search.ts";
import { openSqlite } from "./sqlite.ts";

let cluster: TestPostgres;
let postgres: Kysely<DB>;
let sqlite: Kysely<DB>;
const dir = mkdtempSync(path.join(tmpdir(), "plenary-pg-parity-"));

beforeAll(async () => {
  cluster = await startPostgres();
  postgres = openPostgres({ url: await cluster.createDatabase() });
  sqlite = openSqlite({ file: path.join(dir, "plenary.sqlite") });
  await migrateToLatest(postgres as Kysely<unknown>);
  await migrateToLatest(sqlite as Kysely<unknown>);
});

afterAll(async () => {
  await postgres?.destroy();
  await sqlite?.destroy();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function sqliteColumns(): Promise<Map<string, string[]>> {
  const tables = await sql<{ name: string }>`select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and name not like 'events_fts%'`.execute(sqlite);
  const result = new Map<string, string[]>();
  for (const { name } of tables.rows) {
    const columns = await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(sqlite);
    result.set(name, columns.rows.map((c) => c.name).sort());
  }
  return result;
}

async function postgresColumns(): Promise<Map<string, string[]>> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns where table_schema = 'public'`.execute(postgres);
  const result = new Map<string, string[]>();
  for (const row of rows.rows) result.set(row.table_name, [...(result.get(row.table_name) ?? []), row.column_name]);
  for (const columns of result.values()) columns.sort();
  return result;
}

async function seedEvents(db: Kysely<DB>) {
  const now = new Date().toISOString();
  await db.insertInto("organizations").values({ id: "org-1", name: "Org", slug: "org", created_at: now, updated_at: now } as never).execute();
  const event = (id: string, title: string, description: string) => ({
    id, organization_id: "org-1", slug: id, title, description, time_zone: "UTC", starts_at: now, ends_at: now,
    currency: "eur", created_at: now, updated_at: now,
  });
  await db.insertInto("events").values([
    event("ev-desc", "Annual meeting", "Notes from the café on distributed systems"),
    event("ev-title", "Café Distributed", "Talks"),
    event("ev-none", "Gardening", "Roses"),
  ] as never).execute();
}

describe("PostgreSQL", () => {
  it("is told apart from SQLite by the dialect seam", () => {
    expect(dialectOf(postgres)).toBe("postgres");
    expect(dialectOf(sqlite)).toBe("sqlite");
  });

  it("gets every table and column that SQLite gets from the same migrations", async () => {
    const expected = await sqliteColumns();
    const actual = await postgresColumns();
    // The search index is a column on PostgreSQL and a virtual table on SQLite.
    actual.set("events", actual.get("events")!.filter((c) => c !== "search"));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [table, columns] of expected) expect(actual.get(table), table).toEqual(columns);
  });

  it("reads counts and sums as numbers, as SQLite does", async () => {
    // count() and sum() over integers are int8 on PostgreSQL, which pg reads as strings by default.
    const { rows } = await sql<{ n: unknown; s: unknown }>`select count(*) as n, sum(x) as s from (values (1), (2)) as t(x)`.execute(postgres);
    expect(rows[0]).toEqual({ n: 2, s: 3 });
  });

  it("numbers chat messages in growing order", async () => {
    await seedEvents(postgres);
    const now = new Date().toISOString();
    await postgres.insertInto("users").values({ id: "u-1", email: "a@example.com", display_name: "A", created_at: now, updated_at: now } as never).execute();
    const ids: number[] = [];
    for (const text of ["one", "two"]) {
      const { id } = await postgres.insertInto("chat_messages")
        .values({ channel: "event:ev-title", event_id: "ev-title", author_id: "u-1", text, created_at: now } as never)
        .returning("id").executeTakeFirstOrThrow();
      ids.push(Number(id));
    }
    expect(ids[1]).toBeGreaterThan(ids[0]!);
  });

  it("finds events by prefix without diacritics and ranks title matches first, on both databases", async () => {
    await seedEvents(sqlite);
    for (const db of [postgres, sqlite]) {
      const search = eventSearch(db, searchWords("cafe distrib"));
      const rows = await db.selectFrom("events").select("id").where(search.matches).orderBy(search.rank).execute();
      expect(rows.map((r) => r.id), dialectOf(db)).toEqual(["ev-title", "ev-desc"]);
    }
  });

  it("hides the password when a database URL is shown", () => {
    expect(redactDatabaseUrl("postgres://plenary:s3cret@db:5432/plenary")).toBe("postgres://plenary:%3Credacted%3E@db:5432/plenary");
    expect(redactDatabaseUrl("postgres://plenary@db/plenary")).toBe("postgres://plenary@db/plenary");
  });
});
