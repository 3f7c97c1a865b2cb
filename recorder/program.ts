/**
 * The program edit of a recording: which video track is on screen when. A screen share
 * wins; otherwise the active speaker's camera; otherwise the camera that started first.
 * Pure functions, so the editing rules are tested without ffmpeg.
 */
import type { RecordingManifest } from "./SessionRecorder.ts";
import type { TrackInfo } from "./TrackRecorder.ts";

export type ProgramCut = { track: number; fromMs: number; toMs: number };

const activeAt = (t: TrackInfo, ms: number, end: number) => t.startMs <= ms && ms < (t.endMs ?? end);

/** Cuts covering [0, durationMs) by index into manifest.tracks; gaps have no video (black). */
export function programCuts(manifest: RecordingManifest): ProgramCut[] {
  const end = manifest.durationMs;
  const videos = manifest.tracks.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === "video");
  const points = new Set<number>([0]);
  for (const { t } of videos) {
    points.add(t.startMs);
    if (t.endMs !== null) points.add(t.endMs);
  }
  for (const s of manifest.speakers) points.add(s.atMs);
  const sorted = [...points].filter((p) => p >= 0 && p < end).sort((a, b) => a - b);
  const cuts: ProgramCut[] = [];
  for (const [k, from] of sorted.entries()) {
    const to = sorted[k + 1] ?? end;
    const live = videos.filter(({ t }) => activeAt(t, from, end));
    const speaker = manifest.speakers.filter((s) => s.atMs <= from).at(-1)?.peerId;
    const picked = pickProgramVideo(live.map(({ t }) => t), speaker);
    const chosen = live.find(({ t }) => t === picked);
    if (!chosen) continue;
    const last = cuts.at(-1);
    if (last && last.track === chosen.i && last.toMs === from) last.toMs = to;
    else cuts.push({ track: chosen.i, fromMs: from, toMs: to });
  }
  return cuts;
}

/** The rule for what is on screen, shared with the live program (recorder/live-stream.ts). */
export function pickProgramVideo<T extends Pick<TrackInfo, "source" | "peerId" | "startMs">>(live: T[], speakerPeerId: string | undefined): T | undefined {
  return live.find((t) => t.source === "screen") ?? live.find((t) => t.peerId === speakerPeerId) ?? [...live].sort((a, b) => a.startMs - b.startMs)[0];
}
