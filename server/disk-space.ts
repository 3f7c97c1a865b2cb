/**
 * Free disk space where Plenary writes: the data folder (SQLite, uploads, keys) and the
 * recordings work folder, for /readyz and for whoever must refuse work before a disk fills.
 * A low data disk makes the server not ready and pauses sales (server/db/health.ts, with
 * database.min_free_mb); a low recordings disk only degrades it: new recordings will not
 * start, everything else serves.
 */
import path from "node:path";
import { freeBytes } from "../recorder/durable-file.ts";

export { freeBytes };

const mib = (bytes: number) => `${Math.floor(bytes / 1024 ** 2)} MiB`;

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
