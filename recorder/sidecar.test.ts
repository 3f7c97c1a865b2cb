/** Sidecars: chapters from the title, screen shares and markers; trim shifts; WebVTT output. */
import { describe, expect, it } from "vitest";
import { activityVtt, buildSidecar, chaptersOf, chaptersVtt } from "./sidecar.ts";
import type { TrackInfo } from "./TrackRecorder.ts";

const track = (source: string, startMs: number, endMs: number | null, kind: "audio" | "video" = "video"): TrackInfo => ({
  file: `${source}.mkv`, kind, source, producerId: source, peerId: "p1", peerName: "Ada", codec: "vp8", startMs, endMs,
});

const base = {
  title: "Keynote",
  durationMs: 60_000,
  tracks: [track("camera", 0, null), track("screen", 10_000, 20_000), track("mic", 0, null, "audio")],
  markers: [{ atMs: 30_000, label: "Questions" }],
};

describe("chapters", () => {
  it("start with the title, follow screen shares and markers", () => {
    expect(chaptersOf(base)).toEqual([
      { atMs: 0, title: "Keynote" },
      { atMs: 10_000, title: "Screen share: Ada" },
      { atMs: 20_000, title: "Keynote" },
      { atMs: 30_000, title: "Questions" },
    ]);
  });

  it("fold chapters shorter than 2 s into the next, and a marker right at the start replaces the title", () => {
    const chapters = chaptersOf({ ...base, tracks: [track("screen", 10_000, 11_000)], markers: [{ atMs: 500, label: "Welcome" }] });
    expect(chapters).toEqual([
      { atMs: 0, title: "Welcome" },
      { atMs: 11_000, title: "Keynote" },
    ]);
  });
});

describe("sidecar", () => {
  const input = {
    ...base,
    chat: [
      { atMs: -500, author: "Bo", text: "before" },
      { atMs: 12_000, author: "Bo", text: "nice slide" },
      { atMs: 45_000, author: "Cy", text: "<b>bold</b> & --> arrows" },
    ],
    activity: [
      { atMs: 25_000, kind: "question.asked" as const, questionId: "q1", author: null, text: "Why?" },
      { atMs: 31_000, kind: "poll.closed" as const, pollId: "p1", question: "Tabs?", results: [{ text: "Yes", votes: 3 }, { text: "No", votes: 1 }] },
    ],
  };

  it("keeps what happened during the recording, relative to its start", () => {
    const sidecar = buildSidecar(input);
    expect(sidecar.durationMs).toBe(60_000);
    expect(sidecar.chat.map((c) => c.atMs)).toEqual([12_000, 45_000]);
    expect(sidecar.chapters.at(-1)).toEqual({ startMs: 30_000, endMs: 60_000, title: "Questions" });
  });

  it("shifts everything by the trim and drops what was cut", () => {
    const sidecar = buildSidecar({ ...input, trim: { startMs: 15_000, endMs: 40_000 } });
    expect(sidecar.durationMs).toBe(25_000);
    expect(sidecar.chat).toEqual([]);
    expect(sidecar.activity.map((a) => [a.kind, a.atMs])).toEqual([["question.asked", 10_000], ["poll.closed", 16_000]]);
    expect(sidecar.chapters).toEqual([
      { startMs: 0, endMs: 5_000, title: "Screen share: Ada" },
      { startMs: 5_000, endMs: 15_000, title: "Keynote" },
      { startMs: 15_000, endMs: 25_000, title: "Questions" },
    ]);
  });

  it("writes WebVTT chapters and an activity track with escaped cue text", () => {
    const sidecar = buildSidecar(input);
    const chapters = chaptersVtt(sidecar);
    expect(chapters.startsWith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:10.000\nKeynote\n")).toBe(true);
    expect(chapters).toContain("00:00:30.000 --> 00:01:00.000\nQuestions");
    const activity = activityVtt(sidecar);
    expect(activity).toContain("00:00:12.000 --> 00:00:17.000\nBo: nice slide");
    expect(activity).toContain("Question: Why?");
    expect(activity).toContain("Poll closed: Tabs? — Yes: 3, No: 1");
    expect(activity).toContain("Cy: &lt;b>bold&lt;/b> &amp; --&gt; arrows");
    // Cues are in time order: chat and activity interleaved.
    const times = [...activity.matchAll(/^(\d\d:\d\d:\d\d\.\d{3}) -->/gm)].map((m) => m[1]);
    expect(times).toEqual([...times].sort());
  });
});
