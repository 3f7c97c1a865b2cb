/**
 * Cutting the program MP4 to an organizer's trim. A cut that starts on a keyframe (or at 0)
 * is a stream copy: exact, fast and lossless, since the end of a copy may fall anywhere.
 * Any other start re-encodes the kept part with the program's own settings, so it starts
 * exactly where asked; the program has a keyframe every segment length, so an organizer
 * who wants the copy path trims at a multiple of it. (Re-encoding only the first GOP and
 * joining it to a copied rest needs matching H.264 parameter sets across both halves; not
 * worth it for a one-off job whose input is 720p veryfast.)
 */
import { probe, run } from "./ffmpeg.ts";
import { type PackageOptions, programEncoderArgs } from "./package.ts";

export type TrimWindow = { startMs: number | null; endMs: number | null };
export type TrimResult = { mode: "copy" | "reencode"; durationMs: number; sourceMs: number };

/** A trim that cannot be cut from this program: trying again will not help. */
export class TrimRangeError extends Error {}

/** A keyframe this close to the asked start counts as on it (a frame at 25 fps is 40 ms). */
const KEYFRAME_TOLERANCE_MS = 20;

/** Times (ms) of the video keyframes of `file`. */
export async function keyframeTimes(ffprobe: string, file: string): Promise<number[]> {
  const out = await run(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", file]);
  return out
    .split("\n")
    .map((line) => line.split(","))
    .filter(([time, flags]) => time && flags?.includes("K"))
    .map(([time]) => Math.round(Number(time) * 1000));
}

/** Writes the kept part of `source` to `output`. */
export async function trimProgram(source: string, output: string, trim: TrimWindow, options: PackageOptions): Promise<TrimResult> {
  const sourceMs = Math.round(Number((await probe(options.ffprobe, source)).format.duration ?? 0) * 1000);
  const start = Math.max(0, trim.startMs ?? 0);
  const end = Math.min(sourceMs, trim.endMs ?? sourceMs);
  if (end - start < 1_000) throw new TrimRangeError("the trimmed recording would be shorter than one second");
  const onKeyframe = start === 0 || (await keyframeTimes(options.ffprobe, source)).some((k) => Math.abs(k - start) <= KEYFRAME_TOLERANCE_MS);
  const mode = onKeyframe ? "copy" : "reencode";
  await run(options.ffmpeg, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-ss", (start / 1000).toFixed(3), "-i", source, "-t", ((end - start) / 1000).toFixed(3),
    ...(mode === "copy" ? ["-c", "copy"] : programEncoderArgs(options)),
    "-movflags", "+faststart", output,
  ]);
  const durationMs = Math.round(Number((await probe(options.ffprobe, output)).format.duration ?? 0) * 1000);
  return { mode, durationMs, sourceMs };
}
