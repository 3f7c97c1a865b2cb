/**
 * The recording lifecycle: recording (a SessionRecorder on the session's live room) →
 * processing (packaging, a durable job) → uploading (to the store, each file verified)
 * → ready; or failed with the reason, from which a host may retry. Files stay in the
 * local work folder until the store holds them all.
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Kysely } from "kysely";
import { z } from "zod";
import { findFfmpeg, type FfmpegTools } from "../../recorder/ffmpeg.ts";
import { KEY_URI_PLACEHOLDER, packageRecording } from "../../recorder/package.ts";
import { type RecordingManifest, SessionRecorder } from "../../recorder/SessionRecorder.ts";
import type { Sfu } from "../../sfu/Sfu.ts";
import type { Config } from "../config/index.ts";
import type { DB, RecordingState } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { JobContext, JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import type { Storage } from "../storage/index.ts";
import { CONTENT_TYPES } from "./playback.ts";

export { KEY_URI_PLACEHOLDER };
const PROCESS_JOB = "recording.process";

export type RecordingServiceOptions = {
  db: Kysely<DB>;
  sfu: Sfu;
  jobs: JobRunner;
  storage: Storage;
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

  /** Recordings left in `recording` by a process that died cannot be finished: fail them. */
  async recoverAfterRestart(): Promise<void> {
    const now = new Date().toISOString();
    const stale = await this.#options.db
      .updateTable("recordings")
      .set({ state: "failed", failure_reason: "The server stopped while recording", ended_at: now, updated_at: now })
      .where("state", "=", "recording")
      .returning("id")
      .execute();
    if (stale.length > 0) this.#options.log.warn({ recordings: stale.map((r) => r.id) }, "recordings interrupted by a restart marked failed");
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
        log: this.#options.log.child({ recording: id }),
      });
    } catch (error) {
      await rm(this.workDirOf(id), { recursive: true, force: true });
      if (error instanceof Error && /disk space/.test(error.message)) throw AppError.conflict("disk_low", `Cannot record: ${error.message}`);
      throw error;
    }
    this.#active.set(id, recorder);
    await this.#options.db
      .insertInto("recordings")
      .values({ id, event_id: input.eventId, session_id: input.sessionId, title: input.title, started_by: input.userId, started_at: now, created_at: now, updated_at: now })
      .execute();
    recorder.on("failed", (error) => void this.#fail(id, error.message));
    recorder.on("stopped", (reason) => void this.#finish(id, reason));
    return id;
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

  async #fail(id: string, reason: string): Promise<void> {
    const recorder = this.#active.get(id);
    this.#active.delete(id);
    await recorder?.stop();
    this.#options.log.error({ recording: id, reason }, "recording failed");
    await this.#setState(id, "failed", { failure_reason: reason, ended_at: new Date().toISOString() });
  }

  /** Queues a failed recording's processing again (its work folder must still hold the tracks). */
  async retry(id: string): Promise<void> {
    const row = await this.#row(id);
    if (!row) throw AppError.notFound("No such recording");
    if (row.state !== "failed") throw AppError.conflict("not_failed", "Only a failed recording can be retried");
    const manifest = await stat(path.join(this.workDirOf(id), "manifest.json")).catch(() => null);
    if (!manifest) throw AppError.conflict("nothing_to_retry", "The recording's files were not kept: it cannot be processed again");
    await this.#setState(id, "processing", { failure_reason: "" });
    await this.#options.jobs.enqueue({ kind: PROCESS_JOB, payload: { recordingId: id } });
  }

  /** Stops it if live, removes its files from the store and the work folder, and the row. */
  async delete(id: string): Promise<void> {
    const recorder = this.#active.get(id);
    this.#active.delete(id);
    await recorder?.stop();
    await this.storage.deletePrefix(`${id}/`);
    await rm(this.workDirOf(id), { recursive: true, force: true });
    await this.#options.db.deleteFrom("recordings").where("id", "=", id).execute();
  }

  async #process(id: string, context: JobContext): Promise<void> {
    const row = await this.#row(id);
    if (!row || (row.state !== "processing" && row.state !== "uploading") || !this.tools) return;
    const dir = this.workDirOf(id);
    try {
      const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as RecordingManifest;
      await this.#setState(id, "processing");
      const packaged = await packageRecording(dir, manifest, {
        ...this.tools,
        segmentSeconds: this.#options.config.segment_seconds,
        encrypt: this.#options.config.encrypt,
      });
      await this.#setState(id, "uploading", { duration_ms: packaged.durationMs, hls_key: packaged.keyHex });
      let size = 0;
      for (const file of packaged.files) size += (await this.storage.upload(`${id}/${file}`, path.join(packaged.dir, file), { contentType: contentTypeOf(file) })).size;
      for (const file of (await readdir(dir)).filter((f) => f.endsWith(".mkv") || f === "manifest.json")) {
        size += (await this.storage.upload(`${id}/tracks/${file}`, path.join(dir, file))).size;
      }
      // Every file is in the store and verified: the local copies can go.
      await this.#setState(id, "ready", { size_bytes: size, storage_backend: this.storage.kind });
      await rm(dir, { recursive: true, force: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      context.log.warn({ recording: id, err: error, attempt: context.attempt }, "recording processing failed");
      // Whatever reached the store is removed, so nothing is left half-uploaded.
      await this.storage.deletePrefix(`${id}/`).catch(() => {});
      if (context.attempt >= context.maxAttempts) await this.#setState(id, "failed", { failure_reason: reason.slice(0, 500) });
      else throw error;
    }
  }

  #row(id: string) {
    return this.#options.db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async #setState(id: string, state: RecordingState, extra: Partial<{ failure_reason: string; ended_at: string; duration_ms: number; hls_key: string | null; size_bytes: number; storage_backend: "local" | "s3" }> = {}) {
    await this.#options.db.updateTable("recordings").set({ state, ...extra, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
  }

  /** Stops live recordings (they are processed by the job queue, now or after a restart). */
  async close(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.#finish(id, "requested").catch(() => {})));
  }
}

function contentTypeOf(file: string): string | undefined {
  return CONTENT_TYPES[file.split(".").pop() ?? ""];
}
