/**
 * The SQLite dialect: the only module that knows the database is SQLite. Everything
 * else talks to kysely, so a PostgreSQL dialect can take this module's place.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { DB } from "./schema.ts";

/** How often a long-lived connection refreshes the planner's statistics. */
const OPTIMIZE_EVERY_MS = 3_600_000;

export type SqliteOptions = {
  /** File path; ":memory:" for a private in-memory database. */
  file: string;
  /** How long a writer waits for the lock, in milliseconds. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * "full" (default): a commit is on disk before it returns, so it survives a power loss.
   * "normal": with WAL still safe from a crash of the process, but the last commits can be
   * lost on a power loss or kernel crash (database.synchronous in the README).
   */
  synchronous?: "full" | "normal";
};

export function openSqlite(options: SqliteOptions): Kysely<DB> {
  if (options.file !== ":memory:") mkdirSync(path.dirname(options.file), { recursive: true });
  const database = new SQLite(options.file);
  // WAL lets readers run while one writer writes.
  database.pragma("journal_mode = WAL");
  database.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  database.pragma("foreign_keys = ON");
  database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5_000)}`);
  // The query planner picks indexes from table statistics, which nothing else gathers: without
  // them it can walk a whole event's tickets to find one person's. SQLite's advice for a
  // long-lived connection: optimize (bounded work) when it opens, and again now and then.
  database.pragma("optimize = 0x10002");
  const optimizer = setInterval(() => {
    if (database.open) database.pragma("optimize");
    else clearInterval(optimizer);
  }, OPTIMIZE_EVERY_MS);
  optimizer.unref();
  return new Kysely<DB>({ dialect: new SqliteDialect({ database }) });
}
