/**
 * Reading a recording's work folder back, whatever state it was left in. A clean stop
 * leaves a final manifest.json. A crash (kill -9, power cut) or a full disk leaves the
 * manifest the recorder keeps current while it records (`partial`: tracks still open have
 * no end), or an empty/unreadable one, or none; the track files hold what was captured
 * up to the crash, since ffmpeg writes them as it goes. Matroska cut short has no
 * duration or index, so each track that was not closed cleanly is remuxed (copy, no
 * re-encode) into a whole file first, and its end is what the file holds. Without any
 * readable manifest the manifest is rebuilt from the track files alone (no speaker log:
 * the program shows the first camera).
 */
import { readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../server/log.ts";
import { writeFileDurably } from "./durable-file.ts";
import { type FfmpegTools, probe, run } from "./ffmpeg.ts";
import type { RecordingManifest } from "./SessionRecorder.ts";
import type { TrackInfo } from "./TrackRecorder.ts";

export const MANIFEST_FILE = "manifest.json";
const TRACK_FILE = /^track-(\d+)-([a-z-]+)\.mkv$/;

/** The track files in a work folder, in recording order. */
export async function trackFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => TRACK_FILE.test(n)).sort((a, b) => Number(TRACK_FILE.exec(a)![1]) - Number(TRACK_FILE.exec(b)![1]));
}

/** Whether the folder holds anything a processing could start from. */
export async function hasRecordedFiles(dir: string): Promise<boolean> {
  if (await stat(path.join(dir, MANIFEST_FILE)).then((s) => s.size > 0, () => false)) return true;
  for (const file of await trackFiles(dir)) if ((await stat(path.join(dir, file))).size > 0) return true;
  return false;
}

/**
 * The folder's final manifest: as written by a clean stop, else completed from the partial
 * one or rebuilt from the track files (then written back, so a retry reads it directly).
 * Throws when nothing usable is left, saying why.
 */
export async function loadManifest(dir: string, tools: FfmpegTools, log: Logger): Promise<RecordingManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  const text = await readFile(file, "utf8").catch(() => null);
  let manifest: RecordingManifest | null = null;
  if (text !== null) {
    try {
      manifest = parseManifest(text);
    } catch (error) {
      log.warn({ dir, reason: (error as Error).message }, "the recording's manifest.json is unreadable; rebuilding it from the track files");
    }
  }
  if (manifest && !manifest.partial) return manifest;
  const completed = manifest ? await complete(dir, manifest, tools, log) : await rebuild(dir, tools, log);
  if (completed.tracks.length === 0) {
    const why = text === null ? "it has no manifest.json" : manifest ? "its manifest lists no readable track" : "its manifest.json is unreadable";
    throw new NothingRecordedError(`Nothing usable was recorded: ${why} and no track file holds media`);
  }
  await writeFileDurably(file, JSON.stringify(completed, null, 2));
  return completed;
}

/** The work folder holds nothing to process: trying again cannot help. */
export class NothingRecordedError extends Error {}

function parseManifest(text: string): RecordingManifest {
  const value = JSON.parse(text) as Partial<RecordingManifest> | null;
  if (!value || typeof value !== "object" || !Array.isArray(value.tracks) || typeof value.startedAt !== "string") {
    throw new Error("it is not a recording manifest");
  }
  return { room: "", durationMs: 0, speakers: [], ...value } as RecordingManifest;
}

/** Ends the tracks left open by the crash at what their files hold. */
async function complete(dir: string, manifest: RecordingManifest, tools: FfmpegTools, log: Logger): Promise<RecordingManifest> {
  const listed = new Set(manifest.tracks.map((t) => path.basename(t.file)));
  // Tracks that started after the last manifest write: known only by their files.
  const extra = (await trackFiles(dir)).filter((f) => !listed.has(f)).map((f) => trackFromFile(dir, f));
  const tracks: TrackInfo[] = [];
  for (const track of [...manifest.tracks, ...extra]) {
    // The folder may have moved (a restored data folder): the file is the one beside the manifest.
    const file = path.join(dir, path.basename(track.file));
    const ms = await readableMs(file, tools, log);
    if (ms === null) continue;
    tracks.push({ ...track, file, endMs: track.endMs ?? track.startMs + ms });
  }
  return finalManifest(manifest, tracks);
}

async function rebuild(dir: string, tools: FfmpegTools, log: Logger): Promise<RecordingManifest> {
  const tracks: TrackInfo[] = [];
  for (const name of await trackFiles(dir)) {
    const track = trackFromFile(dir, name);
    const ms = await readableMs(track.file, tools, log);
    if (ms === null) continue;
    const streams = (await probe(tools.ffprobe, track.file)).streams;
    tracks.push({ ...track, kind: streams[0].codec_type === "audio" ? "audio" : "video", codec: streams[0].codec_name, endMs: ms });
  }
  const started = await stat(dir).then((s) => s.birthtime, () => new Date());
  return finalManifest({ room: "", startedAt: started.toISOString(), durationMs: 0, tracks: [], speakers: [] }, tracks);
}

function trackFromFile(dir: string, name: string): TrackInfo {
  const [, index, source] = TRACK_FILE.exec(name)!;
  // Unknown peer: each file its own, so the program's rules still pick one camera at a time.
  return { file: path.join(dir, name), kind: source === "microphone" ? "audio" : "video", source, producerId: "", peerId: `track-${index}`, peerName: "", codec: "", startMs: 0, endMs: null };
}

function finalManifest(manifest: RecordingManifest, tracks: TrackInfo[]): RecordingManifest {
  const { partial: _, ...rest } = manifest;
  return { ...rest, tracks, durationMs: Math.max(0, ...tracks.map((t) => t.endMs ?? 0)) };
}

/**
 * Remuxes a track cut short into a whole file (in place) and returns its length in ms;
 * null when it holds no media at all.
 */
async function readableMs(file: string, tools: FfmpegTools, log: Logger): Promise<number | null> {
  if (!(await stat(file).then((s) => s.size > 0, () => false))) return null;
  const whole = `${file}.remux.mkv`;
  try {
    await run(tools.ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-i", file, "-map", "0", "-c", "copy", "-f", "matroska", whole]);
    const probed = await probe(tools.ffprobe, whole);
    const seconds = Number(probed.format.duration);
    if (probed.streams.length === 0 || !(seconds > 0)) throw new Error("no media in the file");
    await rename(whole, file);
    return Math.round(seconds * 1000);
  } catch (error) {
    await rm(whole, { force: true });
    log.warn({ file, reason: (error as Error).message }, "a recorded track holds no readable media; left out");
    return null;
  }
}
