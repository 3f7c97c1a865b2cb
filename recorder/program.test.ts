/** The program edit: screen share first, then the active speaker, then the first camera; black gaps. */
import { describe, expect, it } from "vitest";
import { programCuts } from "./program.ts";
import type { RecordingManifest } from "./SessionRecorder.ts";
import type { TrackInfo } from "./TrackRecorder.ts";

const track = (peerId: string, kind: "audio" | "video", source: string, startMs: number, endMs: number): TrackInfo => ({
  file: `${peerId}-${source}.mkv`, kind, source, producerId: `${peerId}-${source}`, peerId, peerName: peerId, codec: "vp8", startMs, endMs,
});

describe("programCuts", () => {
  it("follows the active speaker, gives way to a screen share, and leaves gaps black", () => {
    const manifest: RecordingManifest = {
      room: "r",
      startedAt: new Date(0).toISOString(),
      durationMs: 10_000,
      tracks: [
        track("ana", "video", "camera", 1_000, 10_000), // 0
        track("ana", "audio", "microphone", 0, 10_000), // 1
        track("ben", "video", "camera", 0, 8_000), // 2
        track("ben", "video", "screen", 6_000, 7_000), // 3
      ],
      speakers: [{ atMs: 2_000, peerId: "ana" }, { atMs: 4_000, peerId: "ben" }],
    };
    expect(programCuts(manifest)).toEqual([
      { track: 2, fromMs: 0, toMs: 2_000 }, // only ben's camera runs at first (ana's starts later)
      { track: 0, fromMs: 2_000, toMs: 4_000 }, // ana speaks
      { track: 2, fromMs: 4_000, toMs: 6_000 }, // ben speaks
      { track: 3, fromMs: 6_000, toMs: 7_000 }, // ben shares his screen
      { track: 2, fromMs: 7_000, toMs: 8_000 },
      { track: 0, fromMs: 8_000, toMs: 10_000 }, // ben's camera ended: the camera still running
    ]);
  });

  it("has no cuts without video", () => {
    expect(programCuts({ room: "r", startedAt: "", durationMs: 5_000, tracks: [track("a", "audio", "microphone", 0, 5_000)], speakers: [] })).toEqual([]);
  });
});
