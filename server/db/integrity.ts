/**
 * Is the SQLite file sound? A damaged page is found by PRAGMA quick_check at start and now
 * and then while running, or by a query that fails with SQLITE_CORRUPT. Plenary then refuses
 * to serve from it with one message that names the file and the way out (`plenary restore`
 * with the latest backup under the data folder's backups/), because every write into a
 * damaged file can spread the damage and a checkout that half-fails loses money.
 */
import { existsSync } from "node:fs";
import SQLite from "better-sqlite3";
import { backupsDir, latestBackup } from "../backup/catalog.ts";
import type { Paths } from "../backup/backup.ts";

/** Refusing to serve a damaged database; the CLI exits with 78, like a configuration error. */
export class DatabaseDamagedError extends Error {
  override name = "DatabaseDamagedError";
  readonly file: string;
  /** What SQLite reported. */
  readonly detail: string;
  constructor(paths: Paths, detail: string) {
    super(damagedMessage(paths, detail));
    this.file = paths.database;
    this.detail = detail;
  }
}

/** SQLite's answer for a damaged file: SQLITE_CORRUPT (and its extended codes) or SQLITE_NOTADB. */
export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

/** The error to throw for `error`: a DatabaseDamagedError when SQLite found the file damaged. */
export function damagedOr(error: unknown, paths: Paths): unknown {
  return isCorruption(error) ? new DatabaseDamagedError(paths, (error as Error).message) : error;
}

/** PRAGMA quick_check on its own connection: "ok", or what is wrong. A missing file is "ok" (a fresh install). */
export function quickCheck(file: string): string {
  if (!existsSync(file)) return "ok";
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(file, { fileMustExist: true, timeout: 10_000 });
    // The first 10 problems are plenty to say it is damaged; the full list can be millions of lines.
    const rows = db.pragma("quick_check(10)") as { quick_check: string }[];
    return rows.map((r) => r.quick_check).join("; ") || "ok";
  } catch (error) {
    if (isCorruption(error)) return (error as Error).message;
    throw error;
  } finally {
    db?.close();
  }
}

/** Throws DatabaseDamagedError unless quick_check passes. */
export function assertDatabaseSound(paths: Paths): void {
  const result = quickCheck(paths.database);
  if (result !== "ok") throw new DatabaseDamagedError(paths, result);
}

export function damagedMessage(paths: Paths, detail: string): string {
  const backup = latestBackup(paths);
  const wayOut = backup
    ? `Restore the latest backup (made ${backup.createdAt}) with the server stopped:\n  plenary restore --from ${backup.dir}\n` +
      "(restore keeps the damaged file aside, renamed, and checks the backup first). Orders placed since that backup are not in it: " +
      "Stripe's dashboard lists paid ones."
    : `No backup was found under ${backupsDir(paths)}. If you have one elsewhere, restore it with the server stopped:\n` +
      "  plenary restore --from <backup folder>\n" +
      `Otherwise copy the file aside and try \`sqlite3 ${paths.database} .recover\` to save what can be read.`;
  return `the database ${paths.database} is damaged (SQLite says: ${detail}). Plenary will not serve from a damaged database.\n${wayOut}`;
}
