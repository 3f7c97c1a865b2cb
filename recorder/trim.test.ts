/**
 * Trimming a real program MP4 (made by ffmpeg with the program's own encoder settings): a
 * start on a keyframe is a stream copy, any other start re-encodes; both start with a
 * keyframe, keep audio and video, and last what was asked (within a few frames).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFfmpeg, probe, run } from "./ffmpeg.ts";
import { programEncoderArgs } from "./package.ts";
import { keyframeTimes, trimProgram } from "./trim.ts";

const tools = findFfmpeg();
const work = mkdtempSync(path.join(tmpdir(), "plenary-trim-"));
const source = path.join(work, "program.mp4");
const options = { ...tools, segmentSeconds: 2, encrypt: false };

beforeAll(async () => {
  await run(tools.ffmpeg, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=8",
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=8",
    ...programEncoderArgs(options), "-movflags", "+faststart", source,
  ]);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function firstFrameIsKey(file: string): Promise<boolean> {
  const out = await run(tools.ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_frames", "-read_intervals", "%+#1", "-show_entries", "frame=key_frame", "-of", "csv=p=0", file]);
  return out.trim().split("\n")[0].split(",")[0] === "1";
}

describe("trimProgram", () => {
  it("finds the program's keyframes at every segment length", async () => {
    expect(await keyframeTimes(tools.ffprobe, source)).toEqual([0, 2_000, 4_000, 6_000]);
  });

  it("copies when the start is on a keyframe", async () => {
    const output = path.join(work, "copy.mp4");
    const result = await trimProgram(source, output, { startMs: 2_000, endMs: 6_500 }, options);
    expect(result.mode).toBe("copy");
    expect(result.sourceMs).toBeGreaterThanOrEqual(7_900);
    // A copy ends on a packet boundary, and the MP4's edit list adds the encoder delay: within a few frames.
    expect(Math.abs(result.durationMs - 4_500)).toBeLessThanOrEqual(250);
    expect(await firstFrameIsKey(output)).toBe(true);
    expect((await probe(tools.ffprobe, output)).streams.map((s) => s.codec_type).sort()).toEqual(["audio", "video"]);
  }, 60_000);

  it("re-encodes when the start is between keyframes, starting exactly there", async () => {
    const output = path.join(work, "reencode.mp4");
    const result = await trimProgram(source, output, { startMs: 1_300, endMs: null }, options);
    expect(result.mode).toBe("reencode");
    expect(Math.abs(result.durationMs - 6_700)).toBeLessThanOrEqual(100);
    expect(await firstFrameIsKey(output)).toBe(true);
    // Keyframes stay on the segment grid of the new start, so HLS still cuts evenly.
    expect(await keyframeTimes(tools.ffprobe, output)).toEqual([0, 2_000, 4_000, 6_000]);
  }, 60_000);

  it("refuses a cut shorter than a second", async () => {
    await expect(trimProgram(source, path.join(work, "short.mp4"), { startMs: 7_500, endMs: null }, options)).rejects.toThrow(/shorter than one second/);
  });
});
