/**
 * The backups a data folder holds under `<data dir>/backups/`: what the latest one is (named
 * in the message for a damaged database, shown on /readyz and the admin page), where a
 * scheduled one goes, and which scheduled ones to remove. A folder without `manifest.json`
 * is an unfinished backup and never counts.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { type BackupManifest, MANIFEST, type Paths, stamp } from "./backup.ts";

/** Scheduled backups are named `scheduled-<time>`; only those are ever removed. */
const SCHEDULED_PREFIX = "scheduled-";

export type BackupSummary = {
  /** The backup folder, for `plenary restore --from`. */
  dir: string;
  createdAt: string;
  /** Total size of its files. */
  bytes: number;
  /** Made by the schedule ([backup] every), not by hand. */
  scheduled: boolean;
};

export function backupsDir(paths: Paths): string {
  return path.join(paths.dataDir, "backups");
}

/** Where the next scheduled backup goes. */
export function scheduledBackupDir(paths: Paths, now = new Date()): string {
  return path.join(backupsDir(paths), `${SCHEDULED_PREFIX}${stamp(now)}`);
}

/** Complete backups, oldest first. */
export function listBackups(paths: Paths): BackupSummary[] {
  const root = backupsDir(paths);
  if (!existsSync(root)) return [];
  const found: BackupSummary[] = [];
  for (const name of readdirSync(root)) {
    const manifestFile = path.join(root, name, MANIFEST);
    if (!existsSync(manifestFile)) continue;
    try {
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as BackupManifest;
      const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
      found.push({ dir: path.join(root, name), createdAt: manifest.createdAt, bytes, scheduled: name.startsWith(SCHEDULED_PREFIX) });
    } catch {
      // An unreadable manifest is not a backup anyone can restore.
    }
  }
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function latestBackup(paths: Paths): BackupSummary | null {
  return listBackups(paths).at(-1) ?? null;
}

/** Removes the oldest scheduled backups beyond `keep`, and unfinished scheduled folders older than the newest. Returns what it removed. */
export function pruneScheduledBackups(paths: Paths, keep: number): string[] {
  const scheduled = listBackups(paths).filter((b) => b.scheduled);
  const removed = scheduled.slice(0, Math.max(0, scheduled.length - keep)).map((b) => b.dir);
  const root = backupsDir(paths);
  const newest = scheduled.at(-1);
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    const dir = path.join(root, name);
    // A scheduled backup interrupted by a crash leaves a folder without a manifest.
    if (name.startsWith(SCHEDULED_PREFIX) && !existsSync(path.join(dir, MANIFEST)) && newest && dir < newest.dir) removed.push(dir);
  }
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  return removed;
}
