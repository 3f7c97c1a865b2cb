/**
 * "Is a Plenary running on this data folder?" answered by the operating system, not by a pid
 * file: `plenary start` keeps `<data dir>/plenary.lock`, a tiny SQLite file, open with an
 * EXCLUSIVE lock (`locking_mode = EXCLUSIVE` plus one write), for as long as the process
 * lives. The kernel drops that POSIX lock when the process ends in any way (SIGKILL and
 * crashes included), so a stale lock cannot outlive its server and a recycled pid cannot fake
 * one. `restore` takes the same lock before it touches anything, so a server cannot start
 * halfway through a restore either.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";

export const LOCK_FILE = "plenary.lock";

export class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
}

export type DataDirLock = { release(): void };

// Held connections, so that the garbage collector cannot close one (and drop its lock) while
// the caller has let go of the handle, as `start` does.
const held = new Set<SQLite.Database>();

/** Takes the data folder's lock or throws DataDirBusyError when another process holds it. */
export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const db = new SQLite(file, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    // The first write takes the EXCLUSIVE lock; in this locking mode it is kept until close.
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER, what TEXT, since TEXT)");
    db.prepare("DELETE FROM holder").run();
    db.prepare("INSERT INTO holder VALUES (?, ?, ?)").run(process.pid, holder, new Date().toISOString());
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) {
      throw new DataDirBusyError(`another Plenary process is using ${dataDir} (it holds ${file}); stop it first`);
    }
    throw error;
  }
  held.add(db);
  return {
    release() {
      if (held.delete(db)) db.close();
    },
  };
}

/** True when a running process holds the data folder's lock. */
export function dataDirInUse(dataDir: string): boolean {
  try {
    lockDataDir(dataDir, "probe").release();
    return false;
  } catch (error) {
    if (error instanceof DataDirBusyError) return true;
    throw error;
  }
}
