/**
 * Finding and running ffmpeg: the configured path, else `ffmpeg` on PATH (Debian's
 * package), else the optional `ffmpeg-static` npm package when its binary could be
 * downloaded at install. ffprobe is looked up beside the chosen ffmpeg, then on PATH.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export type FfmpegTools = { ffmpeg: string; ffprobe: string };

function works(binary: string): boolean {
  return spawnSync(binary, ["-hide_banner", "-version"], { stdio: "ignore", timeout: 10_000 }).status === 0;
}

/** The tools to use, or throws an error that says how to get ffmpeg. */
export function findFfmpeg(configured = ""): FfmpegTools {
  const candidates = configured ? [configured] : ["ffmpeg", ffmpegStatic()].filter((c): c is string => Boolean(c));
  const ffmpeg = candidates.find(works);
  if (!ffmpeg) {
    throw new Error(
      configured
        ? `recording is enabled but ffmpeg was not found at recording.ffmpeg_path = "${configured}"`
        : "recording is enabled but no ffmpeg was found: install it (apt-get install ffmpeg), set recording.ffmpeg_path, or set recording.enabled = false",
    );
  }
  // Not run here (one child process less at every start): a missing ffprobe fails processing with its reason.
  const beside = path.isAbsolute(ffmpeg) ? path.join(path.dirname(ffmpeg), "ffprobe") : "ffprobe";
  return { ffmpeg, ffprobe: beside !== "ffprobe" && existsSync(beside) ? beside : "ffprobe" };
}

/** The optional ffmpeg-static package's binary, when its install could download it. */
export function ffmpegStatic(): string | undefined {
  try {
    const found = createRequire(import.meta.url)("ffmpeg-static") as string | null;
    return found && existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a tool to completion; rejects with its stderr on a non-zero exit. */
export function run(binary: string, args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(binary)} failed: ${stderr.trim().split("\n").slice(-5).join(" | ") || error.message}`));
      else resolve(stdout);
    });
  });
}

export type Probe = {
  format: { duration?: string };
  streams: { codec_type: string; codec_name: string; duration?: string }[];
};

export async function probe(ffprobe: string, file: string): Promise<Probe> {
  return JSON.parse(await run(ffprobe, ["-v", "error", "-show_format", "-show_streams", "-of", "json", file])) as Probe;
}
