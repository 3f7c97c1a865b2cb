/**
 * Free disk space where Plenary writes: the data folder (SQLite, uploads, keys) and the
 * recordings work folder, for /readyz and for whoever must refuse work before a disk fills.
 * A full data disk makes the server not ready (the database cannot commit); a low
 * recordings disk only degrades it: new recordings will not start, everything else serves.
 */
import path from "node:path";
import { freeBytes } from "../recorder/durable-file.ts";

export { freeBytes };

/** Below this much free space on the data folder's disk, /readyz says the server is not ready. */
export const DATA_MIN_FREE_BYTES = 64 * 1024 ** 2;

const mib = (bytes: number) => `${Math.floor(bytes / 1024 ** 2)} MiB`;

/** The /readyz check of the data folder's disk: "ok", or "failing: …" below `minFree`. */
export async function dataDiskReadiness(dir: string, minFree = DATA_MIN_FREE_BYTES): Promise<string> {
  const free = await freeBytes(dir);
  return free >= minFree ? "ok" : `failing: only ${mib(free)} free on the data folder's disk (${dir}); the database and uploads need at least ${mib(minFree)}`;
}

/** The /readyz check of the recordings disk: "ok", or "degraded: …" (not a reason to stop serving) below `minFree`. */
export async function recordingsDiskReadiness(dir: string, minFree: number): Promise<string> {
  const free = await freeBytesNear(dir);
  return free >= minFree ? "ok" : `degraded: only ${mib(free)} free on the recordings disk (${dir}); recordings need ${mib(minFree)} to start`;
}

/** Free bytes where `dir` is or will be made (its nearest existing parent): the work folder appears with the first recording. */
async function freeBytesNear(dir: string): Promise<number> {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      return await freeBytes(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || path.dirname(at) === at) throw error;
    }
  }
}
