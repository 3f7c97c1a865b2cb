/**
 * One RTMP(S) destination of a live stream: an ffmpeg that copies the program (MPEG-TS
 * from the composer, fed on stdin) into FLV to the ingest, with `-progress` read for
 * health. One process per destination, so a dead or slow ingest costs only itself: when
 * its ffmpeg exits it is restarted with exponential backoff while the others go on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Logger } from "../server/log.ts";
import { kbps, ProgressParser } from "./live-progress.ts";

export type PushState = "connecting" | "live" | "retrying" | "stopped";

export type PushHealth = {
  id: string;
  name: string;
  state: PushState;
  /** Sent to the ingest over the last progress period, in kbit/s. */
  bitrateKbps: number;
  droppedFrames: number;
  /** Times the ingest connection was made again after a failure. */
  reconnects: number;
  lastError: string | null;
  /** When the current state began (ISO). */
  since: string;
};

export type LivePushOptions = {
  id: string;
  name: string;
  /** The full ingest URL, stream key included: never logged. */
  url: string;
  ffmpeg: string;
  log: Logger;
  /** First retry delay, in ms. Default 1 s; doubles up to maxBackoffMs. */
  backoffMs?: number;
  /** Longest retry delay, in ms. Default 30 s. */
  maxBackoffMs?: number;
  /** Input queued for a stalled ingest before it is dropped and reconnected, in bytes. Default 8 MiB. */
  maxBacklogBytes?: number;
  /**
   * Runs before every connection, retries included; a rejection is a failed attempt with its
   * message as the reason (the server refuses ingests that now resolve to internal addresses).
   */
  beforeConnect?: () => Promise<void>;
};

export class LivePush {
  readonly #options: LivePushOptions;
  readonly #health: PushHealth;
  // The running ffmpeg, if any.
  #child: ChildProcess | undefined;
  // Pending restart.
  #retryTimer: NodeJS.Timeout | undefined;
  #delayMs: number;
  // Last progress reading, for the bitrate.
  #last = { bytes: 0, at: 0 };
  #stopped = false;

  constructor(options: LivePushOptions) {
    this.#options = options;
    this.#delayMs = options.backoffMs ?? 1_000;
    this.#health = { id: options.id, name: options.name, state: "connecting", bitrateKbps: 0, droppedFrames: 0, reconnects: 0, lastError: null, since: new Date().toISOString() };
    this.#connect();
  }

  get health(): PushHealth {
    return { ...this.#health };
  }

  /** Hands the next piece of the program to the ingest's ffmpeg (dropped while it reconnects). */
  write(chunk: Buffer): void {
    const stdin = this.#child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return;
    if (stdin.writableLength > (this.#options.maxBacklogBytes ?? 8 * 1024 * 1024)) {
      this.#health.lastError = "the ingest does not take the stream fast enough";
      this.#child?.kill("SIGKILL");
      return;
    }
    stdin.write(chunk);
  }

  #connect() {
    const check = this.#options.beforeConnect;
    if (!check) {
      this.#spawn();
      return;
    }
    check().then(
      () => {
        if (!this.#stopped) this.#spawn();
      },
      (error: unknown) => {
        if (this.#stopped) return;
        this.#health.lastError = error instanceof Error ? error.message : String(error);
        this.#retry(this.#health.lastError);
      },
    );
  }

  #spawn() {
    const { ffmpeg, url } = this.#options;
    const child = spawn(
      ffmpeg,
      [
        "-hide_banner", "-loglevel", "error", "-nostats",
        "-f", "mpegts", "-i", "pipe:0",
        "-map", "0", "-c", "copy",
        "-progress", "pipe:1",
        "-f", "flv", "-flvflags", "no_duration_filesize", url,
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    this.#child = child;
    this.#last = { bytes: 0, at: Date.now() };
    const parser = new ProgressParser();
    let stderr = "";
    child.stdin?.on("error", () => {});
    child.stdout?.on("data", (chunk: Buffer) => {
      for (const p of parser.push(chunk.toString()).progress) {
        const now = Date.now();
        this.#health.bitrateKbps = kbps(this.#last.bytes, p.totalSize, now - this.#last.at);
        this.#last = { bytes: p.totalSize, at: now };
        this.#health.droppedFrames = p.dropFrames;
        if (p.totalSize > 0 && this.#health.state === "connecting") this.#setState("live");
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1_000)));
    child.once("exit", (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#stopped) return;
      // The key is part of the URL ffmpeg may echo: keep only the reason.
      const reason = redact(stderr.trim().split("\n").pop() ?? "", url) || `ffmpeg exited (${code ?? signal})`;
      this.#health.lastError = this.#health.lastError?.startsWith("the ingest does not") ? this.#health.lastError : reason;
      this.#retry(reason);
    });
  }

  /** After a failed attempt: tries again with backoff. */
  #retry(reason: string) {
    this.#health.bitrateKbps = 0;
    // A connection that held a while earns a quick retry; one failing at once backs off.
    if (this.#health.state === "live" && Date.now() - Date.parse(this.#health.since) > 30_000) this.#delayMs = this.#options.backoffMs ?? 1_000;
    this.#setState("retrying");
    this.#options.log.warn({ destination: this.#options.id, reason, retryInMs: this.#delayMs }, "live stream destination failed; retrying");
    this.#retryTimer = setTimeout(() => {
      this.#health.reconnects += 1;
      this.#setState("connecting");
      this.#connect();
    }, this.#delayMs);
    this.#delayMs = Math.min(this.#delayMs * 2, this.#options.maxBackoffMs ?? 30_000);
  }

  #setState(state: PushState) {
    this.#health.state = state;
    this.#health.since = new Date().toISOString();
  }

  /** Ends the push: the FLV is closed cleanly (end of input), else killed. Safe twice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#setState("stopped");
    this.#health.bitrateKbps = 0;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

/** Removes the stream key (the URL's last path part) from a message. */
function redact(message: string, url: string): string {
  const key = url.split("/").pop() ?? "";
  return key.length >= 4 ? message.split(key).join("<redacted>") : message;
}
