/**
 * Processing one recording, as the `recording.process` job runs it. Two starting points:
 * - tracks in the work folder (just recorded, a retry after a failure, or cut short by a
 *   crash; recorder/recovery.ts completes or rebuilds their manifest): render the
 *   program, trim it if a trim is set, package HLS and poster, write the sidecars, upload
 *   all of it with the tracks; on failure nothing of it is left in the store;
 * - a trim of a recording already in the store: fetch the untrimmed program
 *   (`original.mp4`, kept from the first trim on, else `program.mp4`), cut it
 *   (recorder/trim.ts), package again, shift the sidecars, replace program, HLS and
 *   sidecars in the store. The untrimmed original is stored before anything is replaced,
 *   so a trim can always be changed or undone.
 */
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Kysely } from "kysely";
import { filesIn, type PackageOptions, packageForPlayback, renderProgram } from "../../recorder/package.ts";
import { hasRecordedFiles, loadManifest } from "../../recorder/recovery.ts";
import type { RecordingManifest } from "../../recorder/SessionRecorder.ts";
import { trimProgram } from "../../recorder/trim.ts";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Storage } from "../storage/index.ts";
import type { RecordingRow } from "./access.ts";
import type { ActivityLog } from "./activity.ts";
import { CONTENT_TYPES } from "./playback.ts";
import type { StateFields } from "./service.ts";
import { writeSidecars } from "./sidecars.ts";

export type ProcessDeps = {
  db: Kysely<DB>;
  storage: Storage;
  /** This recording's work folder. */
  workDir: string;
  packaging: PackageOptions;
  uploading: (fields: StateFields) => Promise<void>;
  ready: (fields: StateFields) => Promise<void>;
  log: Logger;
};

const hasTrim = (row: RecordingRow) => row.trim_start_ms !== null || row.trim_end_ms !== null;

export async function processRecording(row: RecordingRow, deps: ProcessDeps): Promise<void> {
  const fromTracks = await hasRecordedFiles(deps.workDir);
  if (fromTracks) await processTracks(row, deps);
  else await retrim(row, deps);
  await deps.ready({ size_bytes: (await deps.storage.list(`${row.id}/`)).reduce((sum, o) => sum + o.size, 0) });
  await rm(deps.workDir, { recursive: true, force: true });
}

async function processTracks(row: RecordingRow, deps: ProcessDeps) {
  const { workDir, storage } = deps;
  try {
    const manifest = await loadManifest(workDir, deps.packaging, deps.log);
    const out = await renderProgram(workDir, manifest, deps.packaging);
    let programMs: number | undefined;
    if (hasTrim(row)) {
      await rename(path.join(out, "program.mp4"), path.join(out, "original.mp4"));
      programMs = (await cut(row, out, deps)).sourceMs;
    }
    const packaged = await packageForPlayback(out, deps.packaging);
    await writeSidecars(deps.db, row, { manifest, log: await readActivity(path.join(workDir, "activity.json")), programMs: programMs ?? packaged.durationMs }, out);
    await deps.uploading({ duration_ms: packaged.durationMs, hls_key: packaged.keyHex });
    await uploadAll(storage, `${row.id}/`, out, await filesIn(out));
    const tracks = (await readdir(workDir)).filter((f) => f.endsWith(".mkv") || f === "manifest.json" || f === "activity.json");
    await uploadAll(storage, `${row.id}/tracks/`, workDir, tracks);
  } catch (error) {
    // Whatever reached the store is removed, so nothing is left half-uploaded.
    await storage.deletePrefix(`${row.id}/`).catch(() => {});
    throw error;
  }
}

async function retrim(row: RecordingRow, deps: ProcessDeps) {
  const { storage, workDir } = deps;
  const prefix = `${row.id}/`;
  const out = path.join(workDir, "out");
  await rm(workDir, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const keptOriginal = (await storage.stat(`${prefix}original.mp4`)) !== null;
  const source = keptOriginal ? `${prefix}original.mp4` : `${prefix}program.mp4`;
  if (!keptOriginal && !(await storage.stat(source))) throw new Error("the recording's program file is missing from the store");
  await pipeline(await storage.read(source), createWriteStream(path.join(out, "original.mp4")));
  // The untrimmed program goes into the store before anything there is replaced.
  if (!keptOriginal) await uploadAll(storage, prefix, out, ["original.mp4"]);
  const { sourceMs, mode } = await cut(row, out, deps);
  deps.log.info({ recording: row.id, mode }, "recording trimmed");
  await rm(path.join(out, "original.mp4"));
  const packaged = await packageForPlayback(out, deps.packaging);
  const manifest = JSON.parse(await readText(storage, `${prefix}tracks/manifest.json`)) as RecordingManifest;
  const log = JSON.parse((await readText(storage, `${prefix}tracks/activity.json`).catch(() => null)) ?? '{"activity":[],"markers":[]}') as ActivityLog;
  await writeSidecars(deps.db, row, { manifest, log, programMs: sourceMs }, out);
  await deps.uploading({ duration_ms: packaged.durationMs, hls_key: packaged.keyHex });
  // A shorter cut has fewer segments: the old ones go first.
  await storage.deletePrefix(`${prefix}hls/`);
  await uploadAll(storage, prefix, out, await filesIn(out));
}

/** Cuts `<out>/original.mp4` to the row's trim into `<out>/program.mp4`. */
async function cut(row: RecordingRow, out: string, deps: ProcessDeps) {
  return trimProgram(path.join(out, "original.mp4"), path.join(out, "program.mp4"), { startMs: row.trim_start_ms, endMs: row.trim_end_ms }, deps.packaging);
}

async function uploadAll(storage: Storage, prefix: string, dir: string, files: string[]) {
  for (const file of files) {
    await storage.upload(`${prefix}${file}`, path.join(dir, file), { contentType: CONTENT_TYPES[file.split(".").pop() ?? ""] });
  }
}

async function readText(storage: Storage, key: string): Promise<string> {
  return Buffer.concat(await (await storage.read(key)).toArray()).toString("utf8");
}

async function readActivity(file: string): Promise<ActivityLog> {
  const text = await readFile(file, "utf8").catch(() => null);
  return text ? (JSON.parse(text) as ActivityLog) : { activity: [], markers: [] };
}
