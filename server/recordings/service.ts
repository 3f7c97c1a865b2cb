/**
 * The recording lifecycle: recording (a SessionRecorder on the session's live room) →
 * processing (packaging, a durable job) → uploading (to the store, each file verified)
 * → ready; or failed with the reason, from which a host may retry. Files stay in the
 * local work folder until the store holds them all. A trim goes through processing
 * again (server/recordings/processing.ts). Hosts in the room are warned over the
 * realtime socket when disk space runs low, before the recording stops, and when it fails
 * (a full disk, a dead ffmpeg): a failure here fails the recording, never the server.
 * A recording cut short by a crash is processed from what its work folder holds
 * (recorder/recovery.ts) when the server starts again.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Kysely } from "kysely";
import { z } from "zod";
import { freeBytes, isDiskFull, writeFileDurably } from "../../recorder/durable-file.ts";
import { findFfmpeg, type FfmpegTools } from "../../recorder/ffmpeg.ts";
import { KEY_URI_PLACEHOLDER } from "../../recorder/package.ts";
import type { MarkerEntry } from "../../recorder/sidecar.ts";
import { hasRecordedFiles, NothingRecordedError } from "../../recorder/recovery.ts";
import { SessionRecorder } from "../../recorder/SessionRecorder.ts";
import { TrimRangeError } from "../../recorder/trim.ts";
import type { Sfu } from "../../sfu/Sfu.ts";
import type { Config } from "../config/index.ts";
import type { DB, RecordingState } from "../db/schema.ts";
import { recordingsDiskReadiness } from "../disk-space.ts";
import { AppError } from "../errors.ts";
import type { JobContext, JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { Storage } from "../storage/index.ts";
import { SessionActivity } from "./activity.ts";
import { processRecording } from "./processing.ts";

export { KEY_URI_PLACEHOLDER };
const PROCESS_JOB = "recording.process";

/**
 * The realtime topic of an event's recordings page: `recording.changed` says that a recording
 * changed state, and nothing else (which recordings a viewer may see is the list's business).
 */
export const eventRecordingsTopic = (eventId: string) => `recordings:${eventId}`;

/** The realtime topic that hosts of a session's room watch for recording warnings. */
export const hostsTopic = (sessionId: string) => `recording:${sessionId}:hosts`;

export type RecordingServiceOptions = {
  db: Kysely<DB>;
  sfu: Sfu;
  jobs: JobRunner;
  storage: Storage;
  fanout: Fanout;
  config: Config["recording"];
  /** Work folders live here, one per recording, until the upload is verified. */
  workDir: string;
  log: Logger;
};

export class RecordingService {
  readonly tools: FfmpegTools | null;
  readonly storage: Storage;
  // Live recorders by recording id.
  readonly #active = new Map<string, SessionRecorder>();
  // The Q&A, poll and marker log of each live recording, by recording id.
  readonly #activity = new Map<string, SessionActivity>();
  readonly #options: RecordingServiceOptions;

  constructor(options: RecordingServiceOptions) {
    this.#options = options;
    this.storage = options.storage;
    // With recording on and no ffmpeg, this throws: the server must not start half-able.
    this.tools = options.config.enabled ? findFfmpeg(options.config.ffmpeg_path) : null;
    options.jobs.define(PROCESS_JOB, {
      schema: z.object({ recordingId: z.string() }),
      maxAttempts: 3,
      handle: (payload, context) => this.#process(payload.recordingId, context),
    });
    // Sessions set to record automatically start when their room opens.
    if (this.tools) options.sfu.on("roomcreated", (room) => void this.#autoStart(room.name));
  }

  async #autoStart(sessionId: string): Promise<void> {
    const session = await this.#options.db
      .selectFrom("event_sessions")
      .select(["id", "event_id", "title"])
      .where("id", "=", sessionId)
      .where("recording", "=", 1)
      .executeTakeFirst()
      .catch(() => undefined);
    if (!session || this.isRecording(sessionId)) return;
    await this.start({ sessionId, eventId: session.event_id, title: session.title, userId: null }).catch((err: unknown) =>
      this.#options.log.error({ err, session: sessionId }, "automatic recording did not start"),
    );
  }

  /**
   * Recordings left in `recording` by a process that died: processed from what their
   * work folder holds (the tracks are written as they come), or failed when it holds nothing.
   */
  async recoverAfterRestart(): Promise<void> {
    const stale = await this.#options.db.selectFrom("recordings").select("id").where("state", "=", "recording").execute();
    for (const { id } of stale) {
      const ended_at = new Date().toISOString();
      if (await hasRecordedFiles(this.workDirOf(id))) {
        await this.#setState(id, "processing", { ended_at, failure_reason: "" });
        await this.#options.jobs.enqueue({ kind: PROCESS_JOB, payload: { recordingId: id } });
        this.#options.log.warn({ recording: id }, "recording interrupted by a restart: processing what was captured");
      } else {
        await this.#setState(id, "failed", { ended_at, failure_reason: "The server stopped while recording, before anything was recorded" });
        this.#options.log.warn({ recording: id }, "recording interrupted by a restart had nothing recorded: marked failed");
      }
    }
  }

  /** The /readyz check of the recordings disk: "degraded: …" when a recording could not start. */
  diskReadiness(): Promise<string> {
    return recordingsDiskReadiness(this.#options.workDir, this.#options.config.min_free_disk_mb * 1024 ** 2);
  }

  workDirOf(id: string): string {
    return path.join(this.#options.workDir, id);
  }

  isRecording(sessionId: string): boolean {
    return [...this.#active.values()].some((r) => r.room.name === sessionId);
  }

  /** Starts recording the session's live room (its name is the session id). */
  async start(input: { sessionId: string; eventId: string; title: string; userId: string | null }): Promise<string> {
    if (!this.tools) throw AppError.conflict("recording_disabled", "Recording is turned off on this server");
    const room = this.#options.sfu.rooms.get(input.sessionId);
    if (!room || room.closed) throw AppError.conflict("room_not_live", "Nobody is in this session's room yet");
    if (this.isRecording(input.sessionId)) throw AppError.conflict("already_recording", "This session is already being recorded");
    const id = randomUUID();
    const now = new Date().toISOString();
    let recorder: SessionRecorder;
    try {
      recorder = await SessionRecorder.start({
        room,
        dir: this.workDirOf(id),
        ffmpeg: this.tools.ffmpeg,
        minFreeBytes: this.#options.config.min_free_disk_mb * 1024 * 1024,
        warnFreeBytes: this.#options.config.warn_free_disk_mb * 1024 * 1024,
        log: this.#options.log.child({ recording: id }),
      });
    } catch (error) {
      await rm(this.workDirOf(id), { recursive: true, force: true });
      if (error instanceof Error && /disk space/.test(error.message)) throw AppError.conflict("disk_low", `Cannot record: ${error.message}`);
      throw error;
    }
    this.#active.set(id, recorder);
    this.#activity.set(id, new SessionActivity(this.#options.fanout, input.sessionId));
    await this.#options.db
      .insertInto("recordings")
      .values({ id, event_id: input.eventId, session_id: input.sessionId, title: input.title, started_by: input.userId, started_at: now, created_at: now, updated_at: now })
      .execute();
    recorder.on("failed", (error) => void this.#fail(id, error));
    recorder.on("stopped", (reason) => void this.#finish(id, reason).catch((error: unknown) => this.#fail(id, error, recorder)));
    recorder.on("disklow", (freeBytes) => this.#warnHosts(input.sessionId, freeBytes));
    return id;
  }

  #warnHosts(sessionId: string, freeBytes: number) {
    const freeMb = Math.floor(freeBytes / 1024 ** 2);
    this.#options.fanout.publish(hostsTopic(sessionId), {
      t: "recording.warning",
      sessionId,
      reason: "disk_low",
      freeMb,
      message: `The server is running out of disk space (${freeMb} MiB free): the recording will stop by itself below ${this.#options.config.min_free_disk_mb} MiB.`,
    });
  }

  /** A chapter mark in the session's live recording, at this moment. */
  mark(sessionId: string, label: string): { recordingId: string; marker: MarkerEntry } {
    const entry = [...this.#active.entries()].find(([, r]) => r.room.name === sessionId);
    const activity = entry && this.#activity.get(entry[0]);
    if (!entry || !activity) throw AppError.conflict("not_recording", "This session is not being recorded");
    const marker = activity.mark(label);
    return { recordingId: entry[0], marker: { atMs: marker.atMs - entry[1].startedAt, label } };
  }

  /** Stops a live recording and queues its processing. */
  async stop(id: string): Promise<void> {
    if (!this.#active.has(id)) throw AppError.conflict("not_recording", "This recording is not running");
    await this.#finish(id, "requested");
  }

  async #finish(id: string, reason: string): Promise<void> {
    const recorder = this.#active.get(id);
    if (!recorder) return;
    this.#active.delete(id);
    const manifest = await recorder.stop();
    await this.#saveActivity(id);
    if (reason === "disk_low") this.#options.fanout.publish(hostsTopic(recorder.room.name), { t: "recording.stopped", sessionId: recorder.room.name, reason });
    const row = await this.#row(id);
    if (!row || row.state !== "recording") return;
    if (manifest.tracks.length === 0) {
      // Nobody published while it ran: there is nothing to keep.
      await rm(this.workDirOf(id), { recursive: true, force: true });
      await this.#options.db.deleteFrom("recordings").where("id", "=", id).execute();
      return;
    }
    if (reason === "disk_low") this.#options.log.warn({ recording: id }, "recording stopped: disk space low");
    await this.#setState(id, "processing", { ended_at: new Date().toISOString(), duration_ms: manifest.durationMs });
    await this.#options.jobs.enqueue({ kind: PROCESS_JOB, payload: { recordingId: id } });
  }

  /** Writes the Q&A, poll and marker log beside the tracks, where processing (and a retry) reads it. */
  async #saveActivity(id: string) {
    const activity = this.#activity.get(id);
    if (!activity) return;
    this.#activity.delete(id);
    activity.close();
    await writeFileDurably(path.join(this.workDirOf(id), "activity.json"), JSON.stringify(activity.log)).catch((err: unknown) =>
      this.#options.log.warn({ err, recording: id }, "the recording's Q&A and poll log could not be saved"),
    );
  }

  /**
   * Fails a live recording: its tracks are stopped (what they hold is kept for a retry),
   * the row says why, and the room's hosts are told. Never throws: a failure while
   * recording (a full disk) must not become the server's failure.
   */
  async #fail(id: string, error: unknown, recorder = this.#active.get(id)): Promise<void> {
    if (!recorder) return;
    this.#active.delete(id);
    const reason = await this.#failureReason(error);
    this.#options.log.error({ recording: id, err: error, reason }, "recording failed");
    const sessionId = recorder.room.name;
    this.#options.fanout.publish(hostsTopic(sessionId), { t: "recording.stopped", sessionId, reason: "failed", message: `The recording stopped: ${reason}.` });
    try {
      await recorder.stop();
      await this.#saveActivity(id);
      await this.#options.db
        .updateTable("recordings")
        .set({ state: "failed", failure_reason: reason.slice(0, 500), ended_at: new Date().toISOString(), updated_at: new Date().toISOString() })
        .where("id", "=", id)
        .where("state", "in", ["recording", "processing"])
        .execute();
    } catch (err) {
      this.#options.log.error({ err, recording: id }, "the failed recording could not be marked failed");
    }
  }

  /** What hosts and organizers read: a full disk said plainly, else what failed. */
  async #failureReason(error: unknown): Promise<string> {
    const full = isDiskFull(error) || (await freeBytes(this.#options.workDir).catch(() => Infinity)) < 1024 ** 2;
    if (full) return "The recordings disk is full. What was recorded is kept: free space on it, then retry";
    return error instanceof Error ? error.message : String(error);
  }

  /** Queues a failed recording's processing again (its work folder must still hold the tracks). */
  async retry(id: string): Promise<void> {
    const row = await this.#row(id);
    if (!row) throw AppError.notFound("No such recording");
    if (row.state !== "failed") throw AppError.conflict("not_failed", "Only a failed recording can be retried");
    // Tracks in the work folder (a first processing), or a program in the store (a trim).
    const tracks = await hasRecordedFiles(this.workDirOf(id));
    const stored = tracks ? null : await this.storage.stat(`${id}/program.mp4`).catch(() => null);
    if (!tracks && !stored) throw AppError.conflict("nothing_to_retry", "The recording's files were not kept: it cannot be processed again");
    await this.#setState(id, "processing", { failure_reason: "" });
    await this.#options.jobs.enqueue({ kind: PROCESS_JOB, payload: { recordingId: id } });
  }

  /** Sets the trim (ms into the untrimmed program; null keeps that end) and cuts it again. */
  async trim(id: string, window: { startMs: number | null; endMs: number | null }): Promise<void> {
    const now = new Date().toISOString();
    const changed = await this.#options.db
      .updateTable("recordings")
      .set({ trim_start_ms: window.startMs, trim_end_ms: window.endMs, state: "processing", failure_reason: "", updated_at: now })
      .where("id", "=", id)
      .where("state", "in", ["ready", "failed"])
      .executeTakeFirst();
    if (changed.numUpdatedRows === 0n) throw AppError.conflict("not_ready", "Only a ready (or failed) recording can be trimmed");
    await this.#options.jobs.enqueue({ kind: PROCESS_JOB, payload: { recordingId: id } });
  }

  /** Stops it if live, removes its files from the store and the work folder, and the row. */
  async delete(id: string): Promise<void> {
    const recorder = this.#active.get(id);
    this.#active.delete(id);
    await recorder?.stop();
    this.#activity.get(id)?.close();
    this.#activity.delete(id);
    await this.storage.deletePrefix(`${id}/`);
    await rm(this.workDirOf(id), { recursive: true, force: true });
    await this.#options.db.deleteFrom("recordings").where("id", "=", id).execute();
  }

  async #process(id: string, context: JobContext): Promise<void> {
    const row = await this.#row(id);
    if (!row || (row.state !== "processing" && row.state !== "uploading") || !this.tools) return;
    try {
      await this.#setState(id, "processing");
      await processRecording(row, {
        db: this.#options.db,
        storage: this.storage,
        workDir: this.workDirOf(id),
        packaging: { ...this.tools, segmentSeconds: this.#options.config.segment_seconds, encrypt: this.#options.config.encrypt },
        uploading: (fields) => this.#setState(id, "uploading", fields),
        ready: (fields) => this.#setState(id, "ready", { ...fields, storage_backend: this.storage.kind }),
        log: context.log,
      });
    } catch (error) {
      const reason = isDiskFull(error) ? "The recordings disk is full. What was recorded is kept: free space on it, then retry" : error instanceof Error ? error.message : String(error);
      context.log.warn({ recording: id, err: error, attempt: context.attempt }, "recording processing failed");
      // A trim outside the recording, or a folder with nothing recorded, fails at once; anything else may be passing (a store hiccup).
      const final = context.attempt >= context.maxAttempts || error instanceof TrimRangeError || error instanceof NothingRecordedError;
      if (final) await this.#setState(id, "failed", { failure_reason: reason.slice(0, 500) });
      else throw error;
    }
  }

  #row(id: string) {
    return this.#options.db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async #setState(id: string, state: RecordingState, extra: StateFields = {}) {
    const row = await this.#options.db
      .updateTable("recordings")
      .set({ state, ...extra, updated_at: new Date().toISOString() })
      .where("id", "=", id)
      .returning("event_id")
      .executeTakeFirst();
    // Open recordings pages refetch their list instead of waiting for a reload.
    if (row) this.#options.fanout.publish(eventRecordingsTopic(row.event_id), { t: "recording.changed", eventId: row.event_id });
  }

  /** Stops live recordings (they are processed by the job queue, now or after a restart). */
  async close(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.#finish(id, "requested").catch(() => {})));
  }
}

export type StateFields = Partial<{ failure_reason: string; ended_at: string; duration_ms: number; hls_key: string | null; size_bytes: number; storage_backend: "local" | "s3" }>;
