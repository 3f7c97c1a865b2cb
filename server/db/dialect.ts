/**
 * Where SQL differs between SQLite and PostgreSQL, one helper per construct. Domain code and
 * migrations call these instead of testing the dialect themselves, so each difference is
 * written once and a third dialect would change only this file.
 */
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, type RawBuilder, sql } from "kysely";

export type Dialect = "sqlite" | "postgres";

/** Which database `db` talks to. */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/**
 * An integer primary key the database numbers itself, growing only (chat message ids,
 * resumable by "after id"): SQLite's AUTOINCREMENT, PostgreSQL's identity column.
 */
export function autoIncrementingKey(db: Kysely<any>) {
  return (column: ColumnDefinitionBuilder) =>
    dialectOf(db) === "postgres" ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement();
}

/**
 * Table options after the column list: SQLite's `without rowid` for small keyed tables
 * (the primary key is the table); PostgreSQL has no such option and needs none.
 */
export function keyedTable(db: Kysely<any>): RawBuilder<unknown> {
  return dialectOf(db) === "postgres" ? sql`` : sql`without rowid`;
}

/** The smaller and the larger of two values: two-argument min()/max() in SQLite, least()/greatest() in PostgreSQL. */
export function least(db: Kysely<any>, a: RawBuilder<unknown> | unknown, b: RawBuilder<unknown> | unknown): RawBuilder<number> {
  return dialectOf(db) === "postgres" ? sql<number>`least(${a}, ${b})` : sql<number>`min(${a}, ${b})`;
}
export function greatest(db: Kysely<any>, a: RawBuilder<unknown> | unknown, b: RawBuilder<unknown> | unknown): RawBuilder<number> {
  return dialectOf(db) === "postgres" ? sql<number>`greatest(${a}, ${b})` : sql<number>`max(${a}, ${b})`;
}
