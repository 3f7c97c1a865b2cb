import { describe, expect, it } from "vitest";
import { kbps, ProgressParser } from "./live-progress.ts";

describe("ffmpeg -progress parsing", () => {
  it("reads blocks split across chunks and keeps other lines apart", () => {
    const parser = new ProgressParser();
    const first = parser.push("frame=10\nfps=25.0\nbitrate= 512.0kbits/s\ntotal_si");
    expect(first.progress).toEqual([]);
    const rest = parser.push("ze=4096\nout_time_us=400000\ndup_frames=1\ndrop_frames=3\n[flv @ 0x1] Broken pipe\nprogress=continue\nframe=20\ntotal_size=8192\nprogress=end\n");
    expect(rest.other).toEqual(["[flv @ 0x1] Broken pipe"]);
    expect(rest.progress).toEqual([
      { frame: 10, totalSize: 4096, outTimeUs: 400_000, dropFrames: 3, dupFrames: 1, end: false },
      { frame: 20, totalSize: 8192, outTimeUs: 0, dropFrames: 0, dupFrames: 0, end: true },
    ]);
  });

  it("turns byte counts into kbit/s, never negative", () => {
    expect(kbps(0, 125_000, 1_000)).toBe(1_000);
    expect(kbps(5_000, 1_000, 1_000)).toBe(0);
    expect(kbps(0, 1_000, 0)).toBe(0);
  });
});
