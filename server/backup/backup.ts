/**
 * `plenary backup` and `plenary restore`.
 *
 * A backup is a folder: `plenary.sqlite` (a consistent copy of the live database made with
 * `VACUUM INTO`, which reads one snapshot inside a single read transaction, so it never
 * blocks the writer in WAL mode and never restarts under writes the way the page-by-page
 * backup API does), `keys/` (the JWT and ticket signing keys: without them issued tokens and
 * tickets stop verifying), and `manifest.json`, written last (a folder without it is an
 * unfinished backup). The database file of a running server is never copied byte by byte:
 * its recent commits live in the `-wal` file.
 *
 * Restore refuses while a server holds the data folder's lock (lock.ts), checks every file
 * against the manifest's size and SHA-256 and the database with `PRAGMA integrity_check`,
 * sets the current database and keys aside under a timestamped name (never deletes them),
 * and moves the backup into place.
 */
import { createHash } from "node:crypto";
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { VERSION } from "../version.ts";
import { lockDataDir } from "./lock.ts";

export const MANIFEST = "manifest.json";
export const BACKUP_FORMAT = "plenary-backup";
export const BACKUP_VERSION = 1;
const DB_NAME = "plenary.sqlite";

export type BackupFile = { path: string; bytes: number; sha256: string };

export type BackupManifest = {
  format: typeof BACKUP_FORMAT;
  version: number;
  plenaryVersion: string;
  createdAt: string;
  /** The database file inside the backup, and where it came from. */
  database: { file: string; source: string; integrity: "ok"; migrations: string[] };
  files: BackupFile[];
  /** Recordings the backup does not contain but that the database refers to. */
  recordings: { id: string; location: string }[];
  recordingsNote: string;
};

export class BackupError extends Error {
  override name = "BackupError";
}

export type Paths = { dataDir: string; database: string };

/** A default backup folder: `<data dir>/backups/<timestamp>` (copy it off the machine). */
export function defaultBackupDir(paths: Paths, now = new Date()): string {
  return path.join(paths.dataDir, "backups", stamp(now));
}

/** Makes a backup of a running or stopped Plenary into `target`, which must be empty or absent. */
export function createBackup(paths: Paths, target: string, now = () => new Date()): BackupManifest {
  if (!existsSync(paths.database)) throw new BackupError(`no database at ${paths.database}`);
  if (existsSync(target) && readdirSync(target).length > 0) throw new BackupError(`${target} is not empty`);
  mkdirSync(target, { recursive: true, mode: 0o700 });

  // Database: one consistent snapshot, written by SQLite itself.
  const dbCopy = path.join(target, DB_NAME);
  const source = new SQLite(paths.database, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    source.prepare("VACUUM INTO ?").run(dbCopy);
  } finally {
    source.close();
  }
  // It holds password and session hashes: owner only, like the key files.
  chmodSync(dbCopy, 0o600);
  fsyncFile(dbCopy);
  const { integrity, migrations } = inspectDatabase(dbCopy);
  if (integrity !== "ok") throw new BackupError(`the copy failed its integrity check: ${integrity}`);

  // Keys: written by rename (accounts/keys.ts, tickets/ticket-keys.ts), so a read is never torn.
  const keysDir = path.join(paths.dataDir, "keys");
  const files: BackupFile[] = [describe(target, DB_NAME)];
  if (existsSync(keysDir)) {
    mkdirSync(path.join(target, "keys"), { mode: 0o700 });
    for (const name of readdirSync(keysDir).sort()) {
      if (name.endsWith(".tmp") || !statSync(path.join(keysDir, name)).isFile()) continue;
      copyFileSync(path.join(keysDir, name), path.join(target, "keys", name));
      fsyncFile(path.join(target, "keys", name));
      files.push(describe(target, `keys/${name}`));
    }
  }

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    plenaryVersion: VERSION,
    createdAt: now().toISOString(),
    database: { file: DB_NAME, source: paths.database, integrity: "ok", migrations },
    files,
    recordings: storedRecordings(dbCopy),
    recordingsNote:
      "Every recording the database refers to and where its files are (`local:` under storage.local_dir, " +
      "`s3:` under storage.prefix in storage.bucket, each as `<id>/`). The media files stay in their store " +
      "and are backed up there; the AES keys of their HLS segments are in the database, so this backup is needed to play them.",
  };
  const temporary = path.join(target, `${MANIFEST}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  fsyncFile(temporary);
  renameSync(temporary, path.join(target, MANIFEST));
  fsyncFile(target);
  return manifest;
}

/** Recordings with files in a store, from the backup's copy of the database. */
function storedRecordings(dbFile: string): BackupManifest["recordings"] {
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'recordings'").get();
    if (!table) return [];
    const rows = db.prepare("select id, storage_backend from recordings where storage_backend is not null order by started_at").all() as { id: string; storage_backend: string }[];
    return rows.map((r) => ({ id: r.id, location: `${r.storage_backend}:${r.id}/` }));
  } finally {
    db.close();
  }
}

/** Checks a backup folder: manifest, sizes, hashes, integrity. Returns the manifest or throws BackupError. */
export function verifyBackup(from: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(from, MANIFEST), "utf8")) as BackupManifest;
  } catch (error) {
    throw new BackupError(`${from} has no readable ${MANIFEST}: ${(error as Error).message}`);
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.version !== BACKUP_VERSION) {
    throw new BackupError(`${from} is not a Plenary backup of version ${BACKUP_VERSION}`);
  }
  if (!Array.isArray(manifest.files) || !manifest.files.some((f) => f.path === manifest.database?.file)) {
    throw new BackupError("the manifest lists no database");
  }
  for (const file of manifest.files) {
    const full = path.resolve(from, file.path);
    // A manifest must not point outside its own folder.
    if (!full.startsWith(path.resolve(from) + path.sep)) throw new BackupError(`bad path in manifest: ${file.path}`);
    if (!existsSync(full)) throw new BackupError(`${file.path} is missing`);
    const actual = describe(from, file.path);
    if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) {
      throw new BackupError(`${file.path} does not match the manifest (size or SHA-256 differ): the backup is damaged or was altered`);
    }
  }
  const { integrity } = inspectDatabase(path.join(from, manifest.database.file));
  if (integrity !== "ok") throw new BackupError(`the database failed PRAGMA integrity_check: ${integrity}`);
  return manifest;
}

export type RestoreResult = { manifest: BackupManifest; setAside: string[] };

/** Puts a verified backup in place of the data folder's database and keys. The server must be stopped. */
export function restoreBackup(paths: Paths, from: string, now = () => new Date()): RestoreResult {
  // Held for the whole restore: refuses while a server runs, and keeps one from starting meanwhile.
  const lock = lockDataDir(paths.dataDir, "restore");
  try {
    const manifest = verifyBackup(from);
    const suffix = `before-restore-${stamp(now())}`;
    const setAside: string[] = [];
    const aside = (file: string) => {
      if (!existsSync(file)) return;
      const moved = `${file}.${suffix}`;
      renameSync(file, moved);
      setAside.push(moved);
    };

    // Stage the database next to its destination (same file system), then swap.
    mkdirSync(path.dirname(paths.database), { recursive: true });
    const staged = `${paths.database}.restoring`;
    rmSync(staged, { force: true });
    copyFileSync(path.join(from, manifest.database.file), staged);
    fsyncFile(staged);
    if (describe(path.dirname(staged), path.basename(staged)).sha256 !== manifest.files.find((f) => f.path === manifest.database.file)!.sha256) {
      rmSync(staged, { force: true });
      throw new BackupError("the staged copy differs from the backup");
    }
    // The old database goes aside with its -wal and -shm, which may hold its last commits.
    for (const file of [paths.database, `${paths.database}-wal`, `${paths.database}-shm`]) aside(file);
    renameSync(staged, paths.database);

    const keyFiles = manifest.files.filter((f) => f.path.startsWith("keys/"));
    if (keyFiles.length > 0) {
      const keysDir = path.join(paths.dataDir, "keys");
      aside(keysDir);
      mkdirSync(keysDir, { recursive: true, mode: 0o700 });
      for (const file of keyFiles) {
        const destination = path.join(keysDir, path.basename(file.path));
        copyFileSync(path.join(from, file.path), destination);
        fsyncFile(destination);
      }
    }
    fsyncFile(path.dirname(paths.database));
    return { manifest, setAside };
  } finally {
    lock.release();
  }
}

function inspectDatabase(file: string): { integrity: string; migrations: string[] } {
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    const integrity = rows.map((r) => r.integrity_check).join("; ");
    const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get();
    const migrations = hasMigrations ? (db.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all() as string[]) : [];
    return { integrity, migrations };
  } catch (error) {
    return { integrity: `cannot be read: ${(error as Error).message}`, migrations: [] };
  } finally {
    db?.close();
  }
}

function describe(root: string, relative: string): BackupFile {
  const data = readFileSync(path.join(root, relative));
  return { path: relative, bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") };
}

function fsyncFile(file: string) {
  const fd = openSync(file, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** 2026-11-25T08-15-02-123Z: sortable and safe in file names. */
export function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}
