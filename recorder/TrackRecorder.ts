/**
 * One producer recorded to one Matroska file without re-encoding: a PlainTransport tap
 * into an ffmpeg child (`-c copy`). The consumer stays paused until ffmpeg has bound its
 * port, then resumes and asks the sender for a keyframe, so the file starts decodable.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../server/log.ts";
import { TypedEmitter } from "../sfu/emitter.ts";
import { type RtpTap, tapProducer, waitUdpListening } from "../sfu/plain-tap.ts";
import type { RoomProducer } from "../sfu/Room.ts";

/** What the packager needs to know about a recorded track. */
export type TrackInfo = {
  file: string;
  kind: "audio" | "video";
  source: string;
  producerId: string;
  peerId: string;
  peerName: string;
  codec: string;
  /** When the track's media started flowing, in ms after the recording started. */
  startMs: number;
  /** When it ended, in ms after the recording started; null while recording. */
  endMs: number | null;
};

export type TrackRecorderEvents = {
  /** ffmpeg exited without being asked to. */
  died: [Error];
};

export class TrackRecorder extends TypedEmitter<TrackRecorderEvents> {
  readonly info: TrackInfo;
  // The RTP tap feeding ffmpeg.
  #tap: RtpTap | undefined;
  // The ffmpeg child.
  #child: ChildProcess | undefined;
  // Resolves when ffmpeg has exited.
  #exited: Promise<number | null> = Promise.resolve(null);
  // Last lines ffmpeg wrote to stderr, for the failure reason.
  #stderr = "";
  // Set once stop() was called, so its exit is not a death.
  #stopping = false;
  readonly #recordingStart: number;
  readonly #log: Logger;

  constructor(entry: RoomProducer, options: { dir: string; index: number; recordingStart: number; log: Logger }) {
    super();
    this.#recordingStart = options.recordingStart;
    this.#log = options.log;
    const kind = entry.producer.kind;
    this.info = {
      file: path.join(options.dir, `track-${options.index}-${entry.source}.mkv`),
      kind,
      source: entry.source,
      producerId: entry.producer.id,
      peerId: entry.peer.id,
      peerName: entry.peer.name,
      codec: "",
      startMs: 0,
      endMs: null,
    };
    this.setListenerErrorHandler((event, err) => options.log.error({ err, event }, "track recorder listener failed"));
  }

  /** Starts ffmpeg on a tap of the producer on its own router. */
  async start(entry: RoomProducer, ffmpeg: string): Promise<void> {
    const tap = await tapProducer(entry.peer.home.router, entry.producer.id);
    this.#tap = tap;
    this.info.codec = tap.consumer.rtpParameters.codecs[0].mimeType.split("/")[1].toLowerCase();
    const sdpFile = this.info.file.replace(/\.mkv$/, ".sdp");
    await writeFile(sdpFile, tap.sdp);
    const child = spawn(
      ffmpeg,
      [
        "-hide_banner", "-loglevel", "error", "-nostats",
        "-protocol_whitelist", "file,udp,rtp",
        "-fflags", "+genpts",
        // Probe briefly: the first keyframe carries what a copy needs (ffmpeg's default is 5 s).
        "-analyzeduration", "1500000", "-probesize", "2000000",
        "-i", sdpFile,
        "-map", "0", "-c", "copy",
        // Write as it goes, so a killed recorder leaves a readable file behind.
        "-flush_packets", "1",
        "-f", "matroska", "-y", this.info.file,
      ],
      { stdio: ["pipe", "ignore", "pipe"] },
    );
    this.#child = child;
    // "q" written to an ffmpeg that already died (a full disk) fails with EPIPE: its exit says why.
    child.stdin?.on("error", (err) => this.#log.debug({ err }, "ffmpeg's stdin closed"));
    child.on("error", (err) => this.#log.warn({ err }, "ffmpeg could not be run"));
    child.stderr?.on("data", (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-2_000)));
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code) => resolve(code));
      // Not started at all (no binary, no process slots): no exit follows.
      child.once("error", () => resolve(null));
    });
    void this.#exited.then((code) => {
      if (this.#stopping) return;
      this.info.endMs ??= Date.now() - this.#recordingStart;
      tap.close();
      this.safeEmit("died", new Error(`ffmpeg exited (${code ?? "killed"}) while recording: ${this.#stderr.trim().split("\n").pop() ?? ""}`));
    });
    if (!(await waitUdpListening(tap.port))) this.#log.warn({ port: tap.port }, "ffmpeg did not bind its RTP port in time; resuming anyway");
    await tap.consumer.resume();
    this.info.startMs = Date.now() - this.#recordingStart;
    if (tap.consumer.kind === "video") await this.requestKeyFrame();
  }

  /** Asks the sender for a keyframe (at start, and when the program switches to this track). */
  async requestKeyFrame(): Promise<void> {
    await this.#tap?.consumer.requestKeyFrame().catch(() => {});
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Stops ffmpeg cleanly ("q" on stdin, so the file is finalized), killing it if it hangs. Safe twice. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#exited.then(() => {});
    this.#stopping = true;
    this.info.endMs ??= Date.now() - this.#recordingStart;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.stdin?.end("q");
      const timer = setTimeout(() => child.kill("SIGINT"), 3_000);
      const killer = setTimeout(() => child.kill("SIGKILL"), 8_000);
      await this.#exited;
      clearTimeout(timer);
      clearTimeout(killer);
    }
    // Only now: ffmpeg reads its keyboard between packets, so media must still flow for "q".
    this.#tap?.close();
  }
}
