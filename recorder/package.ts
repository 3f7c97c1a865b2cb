/**
 * Turns a recording's per-track files into what viewers get: the program MP4 (H.264 + AAC,
 * the downloadable file), HLS with fMP4 segments (AES-128 encrypted when asked), a poster
 * image and the duration. Video follows programCuts(); all audio tracks are mixed (amix).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { probe, run } from "./ffmpeg.ts";
import { encryptHls } from "./hls-encrypt.ts";
import { programCuts } from "./program.ts";
import type { RecordingManifest } from "./SessionRecorder.ts";

export type PackageOptions = {
  ffmpeg: string;
  ffprobe: string;
  segmentSeconds: number;
  encrypt: boolean;
  /** libx264 preset. Default "veryfast". */
  preset?: string;
};

export type PackagedRecording = {
  /** Folder with program.mp4, poster.jpg and hls/ (index.m3u8, init.mp4, seg_*.m4s). */
  dir: string;
  durationMs: number;
  /** AES-128 key (hex) the playlist's EXT-X-KEY refers to; null when not encrypted. */
  keyHex: string | null;
  files: string[];
};

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;
/** The key URI written into the playlist; the server replaces it with a signed key URL. */
export const KEY_URI_PLACEHOLDER = "plenary-key";

export async function packageRecording(workDir: string, recorded: RecordingManifest, options: PackageOptions): Promise<PackagedRecording> {
  const out = await renderProgram(workDir, recorded, options);
  return packageForPlayback(out, options);
}

/** Renders `<workDir>/out/program.mp4` from the tracks; returns the out folder. */
export async function renderProgram(workDir: string, recorded: RecordingManifest, options: PackageOptions): Promise<string> {
  // A track whose ffmpeg died before writing media (killed while probing) is left out.
  const readable = await Promise.all(recorded.tracks.map((t) => probe(options.ffprobe, t.file).then((p) => p.streams.length > 0, () => false)));
  const manifest = { ...recorded, tracks: recorded.tracks.filter((_, i) => readable[i]) };
  if (manifest.tracks.length === 0) throw new Error("nothing was recorded: no track holds media");
  const out = path.join(workDir, "out");
  await mkdir(out, { recursive: true });
  await run(options.ffmpeg, programArgs(manifest, path.join(out, "program.mp4"), options));
  return out;
}

/**
 * Poster, duration and HLS (encrypted when asked) of `<out>/program.mp4`; the HLS copies
 * the program's video, whose keyframes every segment length make the segment cuts.
 */
export async function packageForPlayback(out: string, options: PackageOptions): Promise<PackagedRecording> {
  const program = path.join(out, "program.mp4");
  await mkdir(path.join(out, "hls"), { recursive: true });
  const durationMs = Math.round(Number((await probe(options.ffprobe, program)).format.duration ?? 0) * 1000);
  if (!(durationMs > 0)) throw new Error("the program recording is empty");

  await run(options.ffmpeg, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-ss", String(Math.min(1, durationMs / 2000)), "-i", program,
    "-frames:v", "1", "-vf", "scale=640:-2", path.join(out, "poster.jpg"),
  ]);

  let keyHex: string | null = null;
  const playlist = path.join(out, "hls", "index.m3u8");
  const hlsArgs = [
    "-hide_banner", "-loglevel", "error", "-y", "-i", program, "-c", "copy",
    "-f", "hls", "-hls_time", String(options.segmentSeconds), "-hls_playlist_type", "vod",
    "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
    "-hls_segment_filename", path.join(out, "hls", "seg_%04d.m4s"),
  ];
  await run(options.ffmpeg, [...hlsArgs, playlist]);
  if (options.encrypt) {
    const key = randomBytes(16);
    keyHex = key.toString("hex");
    await encryptHls(playlist, key, KEY_URI_PLACEHOLDER);
  }
  return { dir: out, durationMs, keyHex, files: await filesIn(out) };
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"));
}

/** H.264 + AAC settings of the program: a keyframe at every segment boundary, none elsewhere. */
export function programEncoderArgs(options: Pick<PackageOptions, "preset" | "segmentSeconds">): string[] {
  return [
    "-c:v", "libx264", "-preset", options.preset ?? "veryfast", "-pix_fmt", "yuv420p",
    "-g", String(FPS * options.segmentSeconds), "-keyint_min", String(FPS * options.segmentSeconds), "-sc_threshold", "0",
    "-c:a", "aac", "-b:a", "128k", "-ac", "2",
  ];
}

/** ffmpeg arguments for the program MP4: cut video over a black canvas, mixed audio. */
export function programArgs(manifest: RecordingManifest, output: string, options: Pick<PackageOptions, "preset" | "segmentSeconds">): string[] {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const duration = seconds(manifest.durationMs);
  const inputs = manifest.tracks.flatMap((t) => ["-i", t.file]);
  const filters: string[] = [`color=c=black:s=${WIDTH}x${HEIGHT}:r=${FPS}:d=${duration}[base0]`];
  const cuts = programCuts(manifest);
  let base = "base0";
  for (const [n, track] of [...new Set(cuts.map((c) => c.track))].entries()) {
    const t = manifest.tracks[track];
    const enable = cuts
      .filter((c) => c.track === track)
      .map((c) => `between(t,${seconds(c.fromMs)},${seconds(c.toMs)})`)
      .join("+");
    filters.push(
      `[${track}:v]setpts=PTS-STARTPTS+${seconds(t.startMs)}/TB,fps=${FPS},` +
        `scale=${WIDTH}:${HEIGHT}:force_original_aspect_ratio=decrease,pad=${WIDTH}:${HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1[v${n}]`,
      `[${base}][v${n}]overlay=eof_action=pass:enable='${enable}'[base${n + 1}]`,
    );
    base = `base${n + 1}`;
  }
  const audios = manifest.tracks.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === "audio");
  for (const { t, i } of audios) {
    filters.push(`[${i}:a]aresample=48000:async=1,asetpts=PTS-STARTPTS,adelay=${t.startMs}:all=1[a${i}]`);
  }
  if (audios.length === 0) filters.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${duration}[mix]`);
  else filters.push(`${audios.map(({ i }) => `[a${i}]`).join("")}amix=inputs=${audios.length}:normalize=0:duration=longest,apad[mix]`);
  return [
    "-hide_banner", "-loglevel", "error", "-y",
    ...inputs,
    "-filter_complex", filters.join(";"),
    "-map", `[${base}]`, "-map", "[mix]",
    "-t", duration,
    ...programEncoderArgs(options),
    "-movflags", "+faststart", output,
  ];
}
