/**
 * What happened beside the video, saved with a recording so a replay shows it in sync: the
 * chat, Q&A (asked, answered, pinned) and poll events (opened, closed with results) as
 * JSON and as a WebVTT metadata track, and chapters as WebVTT chapters. Every time is in
 * ms from the start of the (trimmed) video. Pure functions: the server gathers the inputs.
 */
import type { RecordingManifest } from "./SessionRecorder.ts";

export type ChatEntry = { atMs: number; author: string; text: string };
export type ActivityEntry =
  | { atMs: number; kind: "question.asked"; questionId: string; author: string | null; text: string }
  | { atMs: number; kind: "question.answered"; questionId: string; text: string; answer: string | null }
  | { atMs: number; kind: "question.pinned"; questionId: string; text: string }
  | { atMs: number; kind: "poll.opened"; pollId: string; question: string; options: string[] }
  | { atMs: number; kind: "poll.closed"; pollId: string; question: string; results: { text: string; votes: number }[] };
/** A host's marker, or an agenda item that began while recording. */
export type MarkerEntry = { atMs: number; label: string };
export type Chapter = { startMs: number; endMs: number; title: string };

export type Sidecar = {
  version: 1;
  durationMs: number;
  chapters: Chapter[];
  chat: ChatEntry[];
  activity: ActivityEntry[];
};

export type SidecarInput = {
  title: string;
  /** Length of the untrimmed program. */
  durationMs: number;
  tracks: RecordingManifest["tracks"];
  chat: ChatEntry[];
  activity: ActivityEntry[];
  markers: MarkerEntry[];
  /** The kept part of the program; times outside it are dropped and the rest shifted. */
  trim?: { startMs: number | null; endMs: number | null };
};

/** Chapters closer than this to the next one are folded into it (a share toggled twice). */
const MIN_CHAPTER_MS = 2_000;

/**
 * Chapters of a one-session recording: the session's title from the start; a chapter where
 * a screen share starts ("Screen share: <name>") and where it stops (back to the title);
 * one per host marker or agenda item. Sorted; one shorter than 2 s gives way to the next.
 */
export function chaptersOf(input: Pick<SidecarInput, "title" | "durationMs" | "tracks" | "markers">): { atMs: number; title: string }[] {
  const points: { atMs: number; title: string }[] = [{ atMs: 0, title: input.title }];
  for (const t of input.tracks.filter((t) => t.kind === "video" && t.source === "screen")) {
    points.push({ atMs: t.startMs, title: `Screen share: ${t.peerName}` });
    if (t.endMs !== null && t.endMs < input.durationMs) points.push({ atMs: t.endMs, title: input.title });
  }
  for (const m of input.markers) points.push({ atMs: m.atMs, title: m.label });
  const sorted = points.filter((p) => p.atMs >= 0 && p.atMs < input.durationMs).sort((a, b) => a.atMs - b.atMs);
  const kept: typeof sorted = [];
  for (const [i, p] of sorted.entries()) {
    const next = sorted[i + 1];
    if (next && next.atMs - p.atMs < MIN_CHAPTER_MS) continue;
    if (kept.at(-1)?.title === p.title) continue;
    kept.push(p);
  }
  // The first chapter starts at 0: one that begins within 2 s takes over from the title.
  if (kept.length === 0) kept.push({ atMs: 0, title: input.title });
  else if (kept[0].atMs > 0 && kept[0].atMs < MIN_CHAPTER_MS) kept[0] = { ...kept[0], atMs: 0 };
  else if (kept[0].atMs > 0) kept.unshift({ atMs: 0, title: input.title });
  return kept;
}

/** The sidecar for the kept part of the program. */
export function buildSidecar(input: SidecarInput): Sidecar {
  const from = Math.max(0, input.trim?.startMs ?? 0);
  const to = Math.min(input.durationMs, input.trim?.endMs ?? input.durationMs);
  const durationMs = Math.max(0, to - from);
  const inside = <T extends { atMs: number }>(list: T[]): T[] =>
    list.filter((e) => e.atMs >= from && e.atMs < to).map((e) => ({ ...e, atMs: e.atMs - from })).sort((a, b) => a.atMs - b.atMs);
  // Chapters are made on the whole program, then cut: a chapter running into the kept part keeps its title from 0.
  const points = chaptersOf(input);
  const shifted: { atMs: number; title: string }[] = [];
  for (const p of points) {
    if (p.atMs >= to) break;
    if (p.atMs <= from) shifted[0] = { atMs: 0, title: p.title };
    else shifted.push({ atMs: p.atMs - from, title: p.title });
  }
  const chapters = shifted.map((p, i) => ({ startMs: p.atMs, endMs: shifted[i + 1]?.atMs ?? durationMs, title: p.title }));
  return { version: 1, durationMs, chapters, chat: inside(input.chat), activity: inside(input.activity) };
}

function timestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(total % 1000, 3)}`;
}

/** Cue text may not hold "-->" or blank lines (WebVTT §4.1); & and < are escaped. */
function cueText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/-->/g, "--&gt;").replace(/\n\s*\n/g, "\n").trim();
}

function vtt(cues: { startMs: number; endMs: number; text: string }[]): string {
  return ["WEBVTT", "", ...cues.flatMap((c, i) => [String(i + 1), `${timestamp(c.startMs)} --> ${timestamp(Math.max(c.endMs, c.startMs + 1))}`, cueText(c.text), ""])].join("\n");
}

export function chaptersVtt(sidecar: Sidecar): string {
  return vtt(sidecar.chapters.map((c) => ({ startMs: c.startMs, endMs: c.endMs, text: c.title })));
}

/** How long a chat or Q&A line stays on screen when the track is shown as captions. */
const CUE_MS = 5_000;

export function activityLine(entry: ChatEntry | ActivityEntry): string {
  if (!("kind" in entry)) return `${entry.author}: ${entry.text}`;
  switch (entry.kind) {
    case "question.asked":
      return `Question${entry.author ? ` from ${entry.author}` : ""}: ${entry.text}`;
    case "question.answered":
      return entry.answer ? `Answered: ${entry.text} — ${entry.answer}` : `Answered live: ${entry.text}`;
    case "question.pinned":
      return `Pinned question: ${entry.text}`;
    case "poll.opened":
      return `Poll opened: ${entry.question} (${entry.options.join(" / ")})`;
    case "poll.closed":
      return `Poll closed: ${entry.question} — ${entry.results.map((r) => `${r.text}: ${r.votes}`).join(", ")}`;
  }
}

/** Chat, Q&A and polls as one timed track (captions or metadata), each line for 5 s. */
export function activityVtt(sidecar: Sidecar): string {
  const all = [...sidecar.chat, ...sidecar.activity].sort((a, b) => a.atMs - b.atMs);
  return vtt(all.map((e) => ({ startMs: e.atMs, endMs: Math.min(e.atMs + CUE_MS, Math.max(sidecar.durationMs, e.atMs + 1)), text: activityLine(e) })));
}
