/**
 * Live streams as the server runs them: at most one per session, kept in this process
 * with its room (a restart ends it, as it ends the room). Each is a LiveStream
 * (recorder/live-stream.ts) writing live HLS under `<data>/live/<session>` and pushing to
 * the destinations the host chose.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { findFfmpeg } from "../../recorder/ffmpeg.ts";
import { type LiveHealth, LiveStream, NoVideoError } from "../../recorder/live-stream.ts";
import type { Sfu } from "../../sfu/Sfu.ts";
import type { Config } from "../config/index.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Destinations } from "./destinations.ts";

export type LiveStatus = { live: boolean; startedAt: string | null; failure: string | null; health: LiveHealth | null };

export type LiveServiceOptions = {
  sfu: Sfu;
  destinations: Destinations;
  config: Config["streaming"];
  /** ffmpeg binary as configured for recording (empty: found on PATH). */
  ffmpegPath: string;
  /** Live HLS folders live here, one per session. */
  liveDir: string;
  log: Logger;
};

export class LiveService {
  // Running streams by session id.
  readonly #streams = new Map<string, LiveStream>();
  // Sessions whose stream is starting (a second start is refused meanwhile).
  readonly #starting = new Set<string>();
  // Why a session's last stream ended by itself, until it is started again.
  readonly #failures = new Map<string, string>();
  readonly #options: LiveServiceOptions;
  #ffmpeg: string | undefined;

  constructor(options: LiveServiceOptions) {
    this.#options = options;
  }

  hlsDir(sessionId: string): string {
    return path.join(this.#options.liveDir, sessionId);
  }

  isLive(sessionId: string): boolean {
    return this.#streams.has(sessionId);
  }

  status(sessionId: string): LiveStatus {
    const stream = this.#streams.get(sessionId);
    return { live: Boolean(stream), startedAt: stream?.startedAt ?? null, failure: this.#failures.get(sessionId) ?? null, health: stream?.health ?? null };
  }

  /** Health of every live stream among `sessionIds` (the organizer's event page). */
  healthOf(sessionIds: string[]): { sessionId: string; health: LiveHealth }[] {
    return sessionIds.flatMap((id) => {
      const stream = this.#streams.get(id);
      return stream ? [{ sessionId: id, health: stream.health }] : [];
    });
  }

  async start(input: { sessionId: string; eventId: string; destinationIds: string[] }): Promise<void> {
    const { sessionId } = input;
    const room = this.#options.sfu.rooms.get(sessionId);
    if (!room || room.closed) throw AppError.conflict("room_not_live", "Nobody is in this session's room yet");
    if (this.#streams.has(sessionId) || this.#starting.has(sessionId)) throw AppError.conflict("already_streaming", "This session is already streaming");
    this.#starting.add(sessionId);
    try {
      const destinations = await this.#options.destinations.forPush(input.eventId, input.destinationIds);
      const c = this.#options.config;
      const stream = await LiveStream.start({
        room, dir: this.hlsDir(sessionId), ffmpeg: this.#tool(), destinations,
        width: c.width, height: c.height, fps: c.fps, videoKbps: c.video_kbps, segmentSeconds: c.segment_seconds, retryBackoffMs: c.retry_backoff_ms,
        log: this.#options.log.child({ live: sessionId }),
      }).catch((error: unknown) => {
        if (error instanceof NoVideoError) throw AppError.conflict("no_video", "Turn on a camera or share a screen first: the stream needs a picture");
        throw error;
      });
      this.#failures.delete(sessionId);
      this.#streams.set(sessionId, stream);
      stream.on("failed", (error) => {
        this.#options.log.error({ session: sessionId, err: error }, "live stream failed");
        this.#failures.set(sessionId, error.message);
        void this.stop(sessionId).catch(() => {});
      });
      // The room ended (last person left, or a host ended it): so does its stream.
      room.once("close", () => void this.stop(sessionId).catch(() => {}));
    } finally {
      this.#starting.delete(sessionId);
    }
  }

  async stop(sessionId: string): Promise<void> {
    const stream = this.#streams.get(sessionId);
    if (!stream) throw AppError.conflict("not_streaming", "This session is not streaming");
    this.#streams.delete(sessionId);
    await stream.stop();
  }

  #tool(): string {
    try {
      this.#ffmpeg ??= findFfmpeg(this.#options.ffmpegPath).ffmpeg;
      return this.#ffmpeg;
    } catch (error) {
      throw AppError.conflict("streaming_unavailable", `Live streaming needs ffmpeg on the server: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Stops every stream and removes the live folders. */
  async close(): Promise<void> {
    await Promise.all([...this.#streams.keys()].map((id) => this.stop(id).catch(() => {})));
    await rm(this.#options.liveDir, { recursive: true, force: true });
  }
}
