/**
 * A live stream of a room's program: the same composition as the program recording
 * (screen share, else the active speaker's camera, else the first camera; all audio
 * mixed) encoded once (H.264 libx264 veryfast/zerolatency + AAC) by one composer ffmpeg,
 * whose tee output writes a rolling live HLS playlist (short MPEG-TS segments) and an
 * MPEG-TS copy that this process hands to one LivePush per RTMP(S) destination.
 *
 * Video: one RTP port into the composer; a program switch taps the new producer to the
 * same port, then closes the old tap and asks for a keyframe. The composer timestamps
 * video by arrival (`-use_wallclock_as_timestamps`), so the sources' own RTP clocks and
 * sequence numbers may differ. Audio: a LiveAudioMix on the composer's stdin.
 *
 * A composer that dies is restarted with backoff (the destinations' first delay, doubling
 * up to 30 s) on the same video port and audio mix: the live playlist goes on where it
 * was (`append_list`, an `#EXT-X-DISCONTINUITY` at the seam), output timestamps continue
 * from the stream's start (`-output_ts_offset`), and the pushes keep their ingest
 * connections and get the new MPEG-TS. Only after `maxEncoderFailures` quick failures in
 * a row (each within `stableRunMs` of its start) does the stream fail.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../server/log.ts";
import { TypedEmitter } from "../sfu/emitter.ts";
import { freeRtpPorts, type RtpTap, tapProducer, waitUdpListening } from "../sfu/plain-tap.ts";
import type { Room, RoomEvents, RoomProducer } from "../sfu/Room.ts";
import { LiveAudioMix } from "./live-audio.ts";
import { ProgressParser } from "./live-progress.ts";
import { LivePush, type PushHealth } from "./live-push.ts";
import { pickProgramVideo } from "./program.ts";

/** `beforeConnect` runs before each connection to the ingest (see LivePushOptions). */
export type LiveDestination = { id: string; name: string; url: string; beforeConnect?: () => Promise<void> };

export type LiveStreamOptions = {
  room: Room;
  /** Folder for the live HLS (index.m3u8, seg_*.ts); emptied at start. */
  dir: string;
  ffmpeg: string;
  destinations: LiveDestination[];
  log: Logger;
  /** Output size and rate. Defaults 1280×720 at 25 fps, 2500 kbit/s video. */
  width?: number;
  height?: number;
  fps?: number;
  videoKbps?: number;
  /** Live HLS segment length in seconds (also the keyframe interval). Default 1. */
  segmentSeconds?: number;
  /** Segments kept in the rolling playlist. Default 6. */
  playlistSize?: number;
  /** First retry delay for a failed destination or encoder, in ms (default 1 s). */
  retryBackoffMs?: number;
  /** Quick encoder failures in a row before the stream fails. Default 5. */
  maxEncoderFailures?: number;
  /** An encoder run this long (ms) counts as stable: its failure starts the count over. Default 30 s. */
  stableRunMs?: number;
};

export type EncoderState = "live" | "reconnecting";

export type EncoderHealth = {
  state: EncoderState;
  /** Times the composer was started again after dying. */
  restarts: number;
  /** Why it last died (null until it has). */
  lastError: string | null;
  /** When the current state began (ISO). */
  since: string;
};

export type LiveHealth = {
  startedAt: string;
  /** The composer's output: frames encoded and dropped by the encoder. */
  frames: number;
  droppedFrames: number;
  /** Peer whose video is on the program now. */
  programPeer: string | null;
  encoder: EncoderHealth;
  destinations: PushHealth[];
};

export type LiveStreamEvents = {
  /** The composer died too often in a row: the stream is over (the reason says why). */
  failed: [Error];
  /** The composer died and is being restarted ("reconnecting"), or encodes again ("live"). */
  encoder: [EncoderHealth];
};

/** MPEG-TS packet size: the pushes get whole packets only, so a dead composer's torn last packet never reaches them. */
const TS_PACKET = 188;
const MAX_ENCODER_BACKOFF_MS = 30_000;

export class LiveStream extends TypedEmitter<LiveStreamEvents> {
  readonly startedAt = new Date().toISOString();
  readonly #options: LiveStreamOptions;
  readonly #audio: LiveAudioMix;
  readonly #pushes: LivePush[];
  // When each video producer was first seen (the "first camera" rule).
  readonly #seen = new Map<string, number>();
  // The RTP port the composer reads video from.
  #videoPort = 0;
  // The tap feeding the program video now, and its producer.
  #videoTap: { tap: RtpTap; producerId: string; peerId: string } | undefined;
  // Serializes program switches.
  #switching: Promise<void> = Promise.resolve();
  #speaker: string | undefined;
  #composer: ChildProcess | undefined;
  // When the running composer was started (performance.now()), and the first one.
  #composerStartedAt = 0;
  #firstComposerAt = 0;
  readonly #encoder: EncoderHealth = { state: "live", restarts: 0, lastError: null, since: new Date().toISOString() };
  // Quick composer failures in a row, the next restart delay and its timer.
  #quickFailures = 0;
  #restartDelayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #progress = { frames: 0, droppedFrames: 0 };
  // The running composer's last error lines.
  #stderr = "";
  #unsubscribe: () => void = () => {};
  #stopped: Promise<void> | undefined;

  private constructor(options: LiveStreamOptions) {
    super();
    this.#options = options;
    this.#restartDelayMs = options.retryBackoffMs ?? 1_000;
    this.#audio = new LiveAudioMix({ dir: options.dir, ffmpeg: options.ffmpeg, log: options.log });
    this.#pushes = options.destinations.map(
      (d) => new LivePush({ ...d, ffmpeg: options.ffmpeg, log: options.log, backoffMs: options.retryBackoffMs }),
    );
    this.setListenerErrorHandler((event, err) => options.log.error({ err, event }, "live stream listener failed"));
  }

  /** Starts the composer on the room's program and the pushes to every destination. */
  static async start(options: LiveStreamOptions): Promise<LiveStream> {
    await rm(options.dir, { recursive: true, force: true });
    await mkdir(options.dir, { recursive: true });
    const stream = new LiveStream(options);
    try {
      await stream.#start();
    } catch (error) {
      await stream.stop();
      throw error;
    }
    return stream;
  }

  get room(): Room {
    return this.#options.room;
  }

  get health(): LiveHealth {
    return {
      startedAt: this.startedAt,
      frames: this.#progress.frames,
      droppedFrames: this.#progress.droppedFrames,
      programPeer: this.#videoTap?.peerId ?? null,
      encoder: { ...this.#encoder },
      destinations: this.#pushes.map((p) => p.health),
    };
  }

  async #start() {
    const { room, dir } = this.#options;
    for (const entry of room.producers.values()) if (entry.producer.kind === "video") this.#seen.set(entry.producer.id, Date.now());
    const video = this.#pickVideo();
    if (!video) throw new NoVideoError();
    this.#videoPort = await freeRtpPorts();
    const first = await tapProducer(video.peer.home.router, video.producer.id, this.#videoPort);
    this.#videoTap = { tap: first, producerId: video.producer.id, peerId: video.peer.id };
    await writeFile(path.join(dir, "video.sdp"), first.sdp);
    this.#spawnComposer();
    this.#subscribe();
    await Promise.all([...room.producers.values()].filter((e) => e.producer.kind === "audio").map((e) => this.#audio.add(e)));
    await waitUdpListening(this.#videoPort, 10_000);
    await first.consumer.resume();
    await first.consumer.requestKeyFrame().catch(() => {});
    // Sound starts with the picture, so both begin at the composer's time zero together.
    this.#audio.start(this.#composer!.stdin!);
  }

  /** Starts a composer; a restart continues the playlist and the timestamps of the one before. */
  #spawnComposer(restart = false) {
    const o = this.#options;
    const now = performance.now();
    if (!restart) this.#firstComposerAt = now;
    this.#composerStartedAt = now;
    this.#stderr = "";
    const [w, h, fps, kbps] = [o.width ?? 1280, o.height ?? 720, o.fps ?? 25, o.videoKbps ?? 2_500];
    const gop = fps * (o.segmentSeconds ?? 1);
    const hls = [
      "f=hls", `hls_time=${o.segmentSeconds ?? 1}`, `hls_list_size=${o.playlistSize ?? 6}`,
      // Segments leave the disk a playlist's length after leaving the playlist: a slow viewer still finds them.
      `hls_flags=delete_segments+independent_segments${restart ? "+append_list+discont_start" : ""}`, `hls_delete_threshold=${o.playlistSize ?? 6}`, "hls_segment_filename=seg_%05d.ts",
    ].join(":");
    const child = spawn(
      o.ffmpeg,
      [
        "-hide_banner", "-loglevel", "error", "-nostats",
        "-protocol_whitelist", "file,udp,rtp", "-use_wallclock_as_timestamps", "1", "-reorder_queue_size", "0",
        "-analyzeduration", "1500000", "-probesize", "2000000", "-thread_queue_size", "1024", "-i", "video.sdp",
        "-f", "s16le", "-ar", "48000", "-ac", "2", "-thread_queue_size", "1024", "-i", "pipe:0",
        "-map", "0:v:0", "-map", "1:a:0",
        "-vf", `fps=${fps},scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`,
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
        "-b:v", `${kbps}k`, "-maxrate", `${kbps}k`, "-bufsize", `${2 * kbps}k`,
        "-g", String(gop), "-keyint_min", String(gop), "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
        "-progress", "pipe:2",
        ...(restart ? ["-output_ts_offset", ((now - this.#firstComposerAt) / 1000).toFixed(3)] : []),
        "-f", "tee", `[${hls}]index.m3u8|[f=mpegts]pipe:1`,
      ],
      { cwd: o.dir, stdio: ["pipe", "pipe", "pipe"] },
    );
    this.#composer = child;
    child.stdin?.on("error", () => {});
    let torn: Buffer = Buffer.alloc(0);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (this.#composer !== child) return;
      const data = torn.length > 0 ? Buffer.concat([torn, chunk]) : chunk;
      const whole = data.length - (data.length % TS_PACKET);
      torn = data.subarray(whole);
      if (whole > 0) for (const push of this.#pushes) push.write(data.subarray(0, whole));
    });
    const parser = new ProgressParser();
    // Frame counts start over with each composer: health counts on from where the last one stopped.
    const base = { ...this.#progress };
    child.stderr?.on("data", (chunk: Buffer) => {
      if (this.#composer !== child) return;
      const { progress, other } = parser.push(chunk.toString());
      for (const p of progress) {
        this.#progress = { frames: base.frames + p.frame, droppedFrames: base.droppedFrames + p.dropFrames };
        if (p.frame > 0 && this.#encoder.state === "reconnecting" && !this.#stopped) this.#setEncoder("live");
      }
      if (other.length > 0) this.#stderr = [this.#stderr, ...other].join("\n").slice(-2_000);
    });
    // "close", not "exit": its last error line has been read by then.
    child.once("close", (code, signal) => this.#composerExited(child, code ?? signal));
  }

  #composerExited(child: ChildProcess, how: number | string | null) {
    if (this.#stopped || this.#composer !== child) return;
    const tail = this.#stderr.trim().split("\n").pop() ?? "";
    const reason = `the live encoder stopped (${how})${tail ? `: ${tail}` : ""}`;
    // A composer that ran a while earns a quick restart and a fresh count.
    if (performance.now() - this.#composerStartedAt >= (this.#options.stableRunMs ?? 30_000)) {
      this.#quickFailures = 0;
      this.#restartDelayMs = this.#options.retryBackoffMs ?? 1_000;
    }
    this.#quickFailures += 1;
    const limit = this.#options.maxEncoderFailures ?? 5;
    this.#encoder.lastError = reason;
    if (this.#quickFailures >= limit) {
      this.safeEmit("failed", new Error(limit === 1 ? reason : `${reason} (${this.#quickFailures} failures in a row: given up)`));
      return;
    }
    this.#options.log.warn({ reason, retryInMs: this.#restartDelayMs, failures: this.#quickFailures }, "live encoder died; restarting");
    this.#setEncoder("reconnecting");
    this.#restartTimer = setTimeout(() => void this.#restartComposer(), this.#restartDelayMs);
    this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, MAX_ENCODER_BACKOFF_MS);
  }

  /** A new composer on the same video port and audio mix; the exit handler deals with one that dies again. */
  async #restartComposer() {
    if (this.#stopped) return;
    this.#encoder.restarts += 1;
    this.#spawnComposer(true);
    const composer = this.#composer!;
    try {
      await waitUdpListening(this.#videoPort, 10_000);
      if (this.#stopped || this.#composer !== composer) return;
      await this.#videoTap?.tap.consumer.requestKeyFrame().catch(() => {});
      this.#audio.start(composer.stdin!);
    } catch (error) {
      this.#options.log.warn({ err: error }, "live encoder restart failed");
    }
  }

  #setEncoder(state: EncoderState) {
    Object.assign(this.#encoder, { state, since: new Date().toISOString() });
    this.safeEmit("encoder", { ...this.#encoder });
  }

  #subscribe() {
    const { room } = this.#options;
    const offs: (() => void)[] = [];
    const listen = <K extends keyof RoomEvents & string>(event: K, listener: (...args: RoomEvents[K]) => void) => {
      room.on(event, listener);
      offs.push(() => room.off(event, listener));
    };
    listen("newproducer", (entry) => {
      if (entry.producer.kind === "audio") void this.#audio.add(entry).catch((err: unknown) => this.#options.log.warn({ err }, "live audio source failed"));
      else {
        this.#seen.set(entry.producer.id, Date.now());
        this.#reprogram();
      }
    });
    listen("producerclosed", (entry) => {
      this.#seen.delete(entry.producer.id);
      if (entry.producer.kind === "audio") this.#audio.remove(entry.producer.id);
      else this.#reprogram();
    });
    listen("activespeaker", (peer) => {
      this.#speaker = peer.id;
      this.#reprogram();
    });
    listen("close", () => void this.stop());
    this.#unsubscribe = () => offs.forEach((off) => off());
  }

  #pickVideo(): RoomProducer | undefined {
    const live = [...this.#options.room.producers.values()]
      .filter((e) => e.producer.kind === "video" && !e.producer.closed && this.#seen.has(e.producer.id))
      .map((e) => ({ entry: e, source: e.source, peerId: e.peer.id, startMs: this.#seen.get(e.producer.id) ?? 0 }));
    return pickProgramVideo(live, this.#speaker)?.entry;
  }

  /** Moves the program to what the rule picks now (no-op when unchanged). */
  #reprogram() {
    this.#switching = this.#switching.then(async () => {
      const next = this.#pickVideo();
      if (this.#stopped || !next || next.producer.id === this.#videoTap?.producerId) return;
      const old = this.#videoTap;
      const tap = await tapProducer(next.peer.home.router, next.producer.id, this.#videoPort);
      this.#videoTap = { tap, producerId: next.producer.id, peerId: next.peer.id };
      old?.tap.close();
      await tap.consumer.resume();
      await tap.consumer.requestKeyFrame().catch(() => {});
    }).catch((err: unknown) => this.#options.log.warn({ err }, "live program switch failed"));
  }

  /** Stops pushes, composer (the playlist gets its end tag) and taps. Safe twice. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#unsubscribe();
      clearTimeout(this.#restartTimer);
      await this.#switching;
      this.#audio.close();
      const composer = this.#composer;
      if (composer && composer.exitCode === null && composer.signalCode === null) {
        const exited = new Promise<void>((resolve) => composer.once("exit", () => resolve()));
        // End of the sound input first: ffmpeg joins its input threads, and one blocked reading a silent pipe would hang.
        composer.stdin?.end();
        composer.kill("SIGINT");
        const killer = setTimeout(() => composer.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killer);
      }
      await Promise.all(this.#pushes.map((p) => p.stop()));
      this.#videoTap?.tap.close();
    })();
    return this.#stopped;
  }
}

export class NoVideoError extends Error {
  constructor() {
    super("nobody in the room sends video yet");
  }
}
