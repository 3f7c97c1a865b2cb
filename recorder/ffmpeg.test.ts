/**
 * Finding ffmpeg: a configured path wins (ffprobe taken from beside it); else `ffmpeg` on
 * PATH; else the optional ffmpeg-static package when its binary was installed; else an
 * error that says how to get one. The server refusing to start on that error is tested
 * in test/e2e/recording.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ffmpegStatic, findFfmpeg } from "./ffmpeg.ts";

const systemPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = systemPath;
});

describe("findFfmpeg", () => {
  it("takes the system ffmpeg from PATH, with ffprobe", () => {
    expect(findFfmpeg()).toEqual({ ffmpeg: "ffmpeg", ffprobe: "ffprobe" });
  });

  it("takes a configured path first, and ffprobe from beside it", () => {
    expect(findFfmpeg("/usr/bin/ffmpeg")).toEqual({ ffmpeg: "/usr/bin/ffmpeg", ffprobe: "/usr/bin/ffprobe" });
    expect(() => findFfmpeg("/nonexistent/ffmpeg")).toThrow('ffmpeg was not found at recording.ffmpeg_path = "/nonexistent/ffmpeg"');
  });

  it("falls back to ffmpeg-static when PATH has none, else says how to get ffmpeg", () => {
    process.env.PATH = "/nonexistent";
    // Offline (as here) ffmpeg-static's install cannot download its binary and npm drops it.
    const bundled = ffmpegStatic();
    if (bundled) expect(findFfmpeg().ffmpeg).toBe(bundled);
    else expect(() => findFfmpeg()).toThrow(/no ffmpeg was found: install it \(apt-get install ffmpeg\), set recording.ffmpeg_path, or set recording.enabled = false/);
  });
});
