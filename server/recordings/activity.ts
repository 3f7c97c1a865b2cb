/**
 * The Q&A and poll log of a live recording. The database keeps only each question's and
 * poll's latest state (one updated_at), not when it was opened, answered or pinned, so
 * while a session records, a listener subscribed like a host to the session's poll and
 * Q&A topics notes each change as it is pushed. Host markers are noted here too. Saved as
 * activity.json beside the tracks (times in Unix ms), turned into sidecars at processing.
 */
import { randomUUID } from "node:crypto";
import type { ActivityEntry, MarkerEntry } from "../../recorder/sidecar.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { Push } from "../realtime/protocol.ts";

/** What activity.json holds. */
export type ActivityLog = { activity: ActivityEntry[]; markers: MarkerEntry[] };

type PollFrame = { id: string; question: string; status: string; options: { text: string; votes: number | null }[] };
type QuestionFrame = { id: string; text: string; status: string; pinned: boolean; answer: string | null; author: { name: string } | null };

export class SessionActivity implements RealtimeConnection {
  readonly id = `recording-activity-${randomUUID()}`;
  readonly address = "";
  readonly user = null;
  readonly bufferedBytes = 0;
  readonly closed: Promise<void>;
  readonly log: ActivityLog = { activity: [], markers: [] };
  // Last state seen per poll and question, to tell what changed.
  readonly #polls = new Map<string, string>();
  readonly #questions = new Map<string, { status: string; pinned: boolean }>();
  readonly #fanout: Fanout;
  readonly #topics: string[];
  #resolveClosed: () => void = () => {};

  constructor(fanout: Fanout, sessionId: string) {
    this.#fanout = fanout;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#topics = [`polls:${sessionId}:hosts`, `qa:${sessionId}:hosts`];
    for (const topic of this.#topics) fanout.subscribe(this, topic);
  }

  mark(label: string, at = Date.now()): MarkerEntry {
    const marker = { atMs: at, label };
    this.log.markers.push(marker);
    return marker;
  }

  send(frame: Push): void {
    this.#take(frame, Date.now());
  }

  sendText(text: string): void {
    this.#take(JSON.parse(text) as Push, Date.now());
  }

  /** Never a user's: nothing to cut off. */
  actFor(): void {}

  close(): void {
    for (const topic of this.#topics) this.#fanout.unsubscribe(this, topic);
    this.#resolveClosed();
  }

  #take(frame: Push, at: number) {
    if (frame.t === "batch") for (const inner of frame.frames as Push[]) this.#take(inner, at);
    else if (frame.t === "poll.updated") this.#poll(frame.poll as PollFrame, at);
    else if (frame.t === "qa.updated") this.#question(frame.question as QuestionFrame, at);
  }

  #poll(poll: PollFrame, at: number) {
    const before = this.#polls.get(poll.id);
    this.#polls.set(poll.id, poll.status);
    if (before === poll.status) return;
    if (poll.status === "open") this.log.activity.push({ atMs: at, kind: "poll.opened", pollId: poll.id, question: poll.question, options: poll.options.map((o) => o.text) });
    if (poll.status === "closed") {
      const results = poll.options.map((o) => ({ text: o.text, votes: o.votes ?? 0 }));
      this.log.activity.push({ atMs: at, kind: "poll.closed", pollId: poll.id, question: poll.question, results });
    }
  }

  #question(q: QuestionFrame, at: number) {
    const before = this.#questions.get(q.id);
    this.#questions.set(q.id, { status: q.status, pinned: q.pinned });
    const visible = (status: string | undefined) => status === "open" || status === "answered";
    // Asked = seen by the audience: at once, or when a host lets a held question through.
    if (visible(q.status) && !visible(before?.status)) {
      this.log.activity.push({ atMs: at, kind: "question.asked", questionId: q.id, author: q.author?.name ?? null, text: q.text });
    }
    if (q.status === "answered" && before?.status !== "answered") {
      this.log.activity.push({ atMs: at, kind: "question.answered", questionId: q.id, text: q.text, answer: q.answer });
    }
    if (q.pinned && !before?.pinned) this.log.activity.push({ atMs: at, kind: "question.pinned", questionId: q.id, text: q.text });
  }
}
