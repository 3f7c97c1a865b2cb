/**
 * Live streams as the server runs them: at most one per session, kept in this process
 * with its room (a restart ends it, as it ends the room). Each is a LiveStream
 * (recorder/live-stream.ts) writing live HLS under `<data>/live/<session>` and pushing to
 * the destinations the host chose.
 *
 * Who is told what, over the realtime socket: everyone who may enter the room (topic
 * `stream:<session>`) gets `stream.live` when the stream starts or ends; the room's hosts
 * (`stream:<session>:hosts`) get `stream.health` on every change of state (live,
 * encoder reconnecting, failed, stopped) and every `HEALTH_PUSH_MS` while it runs.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { findFfmpeg } from "../../recorder/ffmpeg.ts";
import { type EncoderState, type LiveHealth, LiveStream, NoVideoError } from "../../recorder/live-stream.ts";
import type { Sfu } from "../../sfu/Sfu.ts";
import type { Config } from "../config/index.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { Destinations } from "./destinations.ts";

/** "off", or the running stream's encoder state ("reconnecting" while its composer restarts). */
export type LiveState = "off" | EncoderState;

export type LiveStatus = { live: boolean; state: LiveState; startedAt: string | null; failure: string | null; health: LiveHealth | null };

/** What everyone in the room is told. */
export type LiveStatePush = { t: "stream.live"; sessionId: string; live: boolean; startedAt: string | null };
/** What the room's hosts are told. */
export type HealthPush = { t: "stream.health"; sessionId: string } & LiveStatus;

/** The topic of everyone who may enter the session's room, and its hosts' own. */
export const streamTopic = (sessionId: string) => `stream:${sessionId}`;
export const streamHostsTopic = (sessionId: string) => `stream:${sessionId}:hosts`;

/** How often running streams' health goes to their hosts, in ms. */
const HEALTH_PUSH_MS = 2_000;

export type LiveServiceOptions = {
  sfu: Sfu;
  destinations: Destinations;
  config: Config["streaming"];
  /** ffmpeg binary as configured for recording (empty: found on PATH). */
  ffmpegPath: string;
  /** Live HLS folders live here, one per session. */
  liveDir: string;
  /** Where state and health go to the rooms' hosts and attendees. */
  fanout: Fanout;
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
  // Pushes the health of running streams to their hosts; runs while any stream does.
  #healthTimer: NodeJS.Timeout | undefined;

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
    const health = stream?.health ?? null;
    return { live: Boolean(stream), state: health?.encoder.state ?? "off", startedAt: stream?.startedAt ?? null, failure: this.#failures.get(sessionId) ?? null, health };
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
        maxEncoderFailures: c.encoder_max_failures,
        log: this.#options.log.child({ live: sessionId }),
      }).catch((error: unknown) => {
        if (error instanceof NoVideoError) throw AppError.conflict("no_video", "Turn on a camera or share a screen first: the stream needs a picture");
        throw error;
      });
      this.#failures.delete(sessionId);
      this.#streams.set(sessionId, stream);
      stream.on("encoder", () => this.#pushHealth(sessionId));
      stream.on("failed", (error) => {
        this.#options.log.error({ session: sessionId, err: error }, "live stream failed");
        this.#failures.set(sessionId, error.message);
        void this.stop(sessionId).catch(() => {});
      });
      // The room ended (last person left, or a host ended it): so does its stream.
      room.once("close", () => void this.stop(sessionId).catch(() => {}));
      this.#announce(sessionId);
      this.#healthTimer ??= setInterval(() => this.#pushAllHealth(), HEALTH_PUSH_MS);
    } finally {
      this.#starting.delete(sessionId);
    }
  }

  async stop(sessionId: string): Promise<void> {
    const stream = this.#streams.get(sessionId);
    if (!stream) throw AppError.conflict("not_streaming", "This session is not streaming");
    this.#streams.delete(sessionId);
    if (this.#streams.size === 0) {
      clearInterval(this.#healthTimer);
      this.#healthTimer = undefined;
    }
    this.#announce(sessionId);
    await stream.stop();
  }

  /** A start or an end: everyone in the room hears of it, hosts with the health and any failure. */
  #announce(sessionId: string) {
    const { live, startedAt } = this.status(sessionId);
    const push: LiveStatePush = { t: "stream.live", sessionId, live, startedAt };
    this.#options.fanout.publish(streamTopic(sessionId), push);
    this.#pushHealth(sessionId);
  }

  #pushHealth(sessionId: string, delivery: "durable" | "ephemeral" = "durable") {
    const push: HealthPush = { t: "stream.health", sessionId, ...this.status(sessionId) };
    this.#options.fanout.publish(streamHostsTopic(sessionId), push, delivery);
  }

  // Periodic readings may be dropped for a slow socket: the next one follows shortly.
  #pushAllHealth() {
    for (const sessionId of this.#streams.keys()) this.#pushHealth(sessionId, "ephemeral");
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
    clearInterval(this.#healthTimer);
    await Promise.all([...this.#streams.keys()].map((id) => this.stop(id).catch(() => {})));
    await rm(this.#options.liveDir, { recursive: true, force: true });
  }
}
