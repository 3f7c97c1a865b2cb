/**
 * Writing state to disk so that a crash or a full disk never leaves a half-written file:
 * the content goes to a temporary file beside the target, is fsynced, then renamed over
 * the target (atomic on POSIX), and the folder is fsynced so the rename itself survives a
 * power cut. A failed write removes its temporary file and leaves the old content intact.
 * Also the free-space measurement every disk check uses. Here, under recorder/, because
 * both the recorder and the server use it and the recorder must not import the server.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, rename, rm, statfs } from "node:fs/promises";
import path from "node:path";

export type DurableWriteOptions = {
  /** File mode of a newly written file. Default 0o644. */
  mode?: number;
};

const temporaryOf = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);

/** Replaces `file` with `data` atomically (temp file, fsync, rename, fsync of the folder). */
export async function writeFileDurably(file: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const temporary = temporaryOf(file);
  try {
    const handle = await open(temporary, "w", options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
  await syncFolder(path.dirname(file));
}

/** The synchronous twin, for code that runs before the event loop matters (keys at start). */
export function writeFileDurablySync(file: string, data: string | Uint8Array, options: DurableWriteOptions = {}): void {
  const temporary = temporaryOf(file);
  try {
    writeFileSync(temporary, data, { mode: options.mode ?? 0o644 });
    const fd = openSync(temporary, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  try {
    const dir = openSync(path.dirname(file), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems refuse to fsync a folder; the rename is still atomic.
  }
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (!handle) return;
  // Some file systems refuse to fsync a folder; the rename is still atomic.
  await handle.sync().catch(() => {});
  await handle.close();
}

/** Bytes an unprivileged process may still write to the file system that holds `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Whether an error is the file system being full (ENOSPC, or ffmpeg's words for it). */
export function isDiskFull(error: unknown): boolean {
  if (error && typeof error === "object" && "code" in error && (error.code === "ENOSPC" || error.code === "EDQUOT")) return true;
  return error instanceof Error && /No space left on device|ENOSPC|Disk quota exceeded/i.test(error.message);
}
