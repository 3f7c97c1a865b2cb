/**
 * Records a live room: every producer (present at the start or arriving later) to its own
 * file, plus a log of who was the active speaker when, which the packager uses to cut the
 * program video. Stops on request, when the room closes, or when the disk runs low.
 * manifest.json is kept current while it records (at the start, as tracks start and end,
 * and with the speaker log at each disk check), written atomically, so a crash leaves
 * what recovery needs (recorder/recovery.ts); a write that fails (a full disk) is logged,
 * never thrown: the tracks' ffmpeg report the disk themselves.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../server/log.ts";
import { TypedEmitter } from "../sfu/emitter.ts";
import type { Peer } from "../sfu/Peer.ts";
import type { Room, RoomProducer } from "../sfu/Room.ts";
import { freeBytes, writeFileDurably } from "./durable-file.ts";
import { MANIFEST_FILE } from "./recovery.ts";
import { type TrackInfo, TrackRecorder } from "./TrackRecorder.ts";

/** What a finished recording left in its folder (manifest.json). */
export type RecordingManifest = {
  room: string;
  startedAt: string;
  durationMs: number;
  tracks: TrackInfo[];
  /** Active speaker changes: the peer whose video the program shows from `atMs` on. */
  speakers: { atMs: number; peerId: string }[];
  /** Written while recording: tracks with no end were still open (recovery completes it). */
  partial?: true;
};

export type StopReason = "requested" | "room_closed" | "disk_low";

export type SessionRecorderEvents = {
  /** A track's ffmpeg died: the recording cannot be trusted complete. */
  failed: [Error];
  /** The recording stopped by itself (room closed, disk low). */
  stopped: [StopReason];
  /** Free disk space fell below warnFreeBytes (once per fall): it will stop at minFreeBytes. */
  disklow: [freeBytes: number];
};

export type SessionRecorderOptions = {
  room: Room;
  /** Work folder for this recording; made if missing. */
  dir: string;
  ffmpeg: string;
  /** Below this many free bytes the recording will not start, and stops. Default 1 GiB. */
  minFreeBytes?: number;
  /** Below this many free bytes hosts are warned (the `disklow` event). Default 2 × minFreeBytes. */
  warnFreeBytes?: number;
  /** How often free disk space is checked while recording, in ms. Default 5 s. */
  diskCheckMs?: number;
  /** Free bytes of the folder's file system. Default statfs; tests pass their own. */
  freeBytes?: (dir: string) => Promise<number>;
  log: Logger;
};

export class SessionRecorder extends TypedEmitter<SessionRecorderEvents> {
  readonly startedAt = Date.now();
  // Recorders by producer id.
  readonly #tracks = new Map<string, TrackRecorder>();
  // Track starts in flight, awaited by stop().
  readonly #starting = new Set<Promise<void>>();
  readonly #speakers: RecordingManifest["speakers"] = [];
  readonly #options: SessionRecorderOptions;
  #diskTimer: NodeJS.Timeout | undefined;
  // Whether hosts were warned since space last was above the warning line.
  #warned = false;
  // Room listeners, removed on stop.
  #unsubscribe: () => void = () => {};
  #stopped: Promise<RecordingManifest> | undefined;
  // Manifest writes, one after the other (a later one must not be overtaken by an earlier).
  #writing: Promise<void> = Promise.resolve();
  // Producer ids of tracks whose media flows (their start time is known).
  readonly #flowing = new Set<string>();
  // Whether the speaker log changed since the manifest was last written.
  #speakersDirty = false;

  private constructor(options: SessionRecorderOptions) {
    super();
    this.#options = options;
    this.setListenerErrorHandler((event, err) => options.log.error({ err, event }, "session recorder listener failed"));
  }

  static async start(options: SessionRecorderOptions): Promise<SessionRecorder> {
    await mkdir(options.dir, { recursive: true });
    const minFree = options.minFreeBytes ?? 1024 ** 3;
    if ((await (options.freeBytes ?? freeBytes)(options.dir)) < minFree) throw new DiskLowError(minFree);
    const recorder = new SessionRecorder(options);
    recorder.#subscribe();
    await Promise.all([...recorder.#starting]);
    recorder.#save();
    recorder.#diskTimer = setInterval(() => void recorder.#checkDisk(minFree), options.diskCheckMs ?? 5_000);
    recorder.#diskTimer.unref();
    return recorder;
  }

  get room(): Room {
    return this.#options.room;
  }
  get tracks(): TrackInfo[] {
    return [...this.#tracks.values()].map((t) => t.info);
  }
  /** ffmpeg process ids (tests kill one to see the failure path). */
  get pids(): number[] {
    return [...this.#tracks.values()].flatMap((t) => (t.pid ? [t.pid] : []));
  }

  #subscribe() {
    const { room } = this.#options;
    const onProducer = (entry: RoomProducer) => this.#addTrack(entry);
    const onClosed = (entry: RoomProducer) => {
      const track = this.#tracks.get(entry.producer.id);
      if (track) void track.stop().then(() => this.#save());
    };
    const onSpeaker = (peer: Peer) => {
      if (this.#speakers.at(-1)?.peerId === peer.id) return;
      this.#speakers.push({ atMs: Date.now() - this.startedAt, peerId: peer.id });
      this.#speakersDirty = true;
      for (const t of this.#tracks.values()) if (t.info.peerId === peer.id && t.info.kind === "video") void t.requestKeyFrame();
    };
    const onRoomClose = () => void this.stop("room_closed");
    room.on("newproducer", onProducer);
    room.on("producerclosed", onClosed);
    room.on("activespeaker", onSpeaker);
    room.on("close", onRoomClose);
    this.#unsubscribe = () => {
      room.off("newproducer", onProducer);
      room.off("producerclosed", onClosed);
      room.off("activespeaker", onSpeaker);
      room.off("close", onRoomClose);
    };
    for (const entry of room.producers.values()) this.#addTrack(entry);
  }

  #addTrack(entry: RoomProducer) {
    if (this.#stopped || this.#tracks.has(entry.producer.id)) return;
    const track = new TrackRecorder(entry, {
      dir: this.#options.dir,
      index: this.#tracks.size + 1,
      recordingStart: this.startedAt,
      log: this.#options.log,
    });
    this.#tracks.set(entry.producer.id, track);
    track.on("died", (error) => {
      this.#save();
      this.safeEmit("failed", error);
    });
    const starting = track.start(entry, this.#options.ffmpeg).then(
      () => {
        this.#flowing.add(entry.producer.id);
        this.#save();
      },
      (error: unknown) => this.safeEmit("failed", error instanceof Error ? error : new Error(String(error))),
    );
    this.#starting.add(starting);
    void starting.finally(() => this.#starting.delete(starting));
  }

  async #checkDisk(minFree: number) {
    if (this.#stopped) return;
    if (this.#speakersDirty) this.#save();
    const free = await (this.#options.freeBytes ?? freeBytes)(this.#options.dir).catch(() => Infinity);
    const warnAt = this.#options.warnFreeBytes ?? minFree * 2;
    if (free < warnAt && !this.#warned) this.safeEmit("disklow", free);
    this.#warned = free < warnAt;
    if (free >= minFree) return;
    this.#options.log.warn({ dir: this.#options.dir }, "disk space low; stopping the recording");
    await this.stop("disk_low");
  }

  /** Stops every track and writes manifest.json. Safe twice (returns the same manifest). */
  stop(reason: StopReason = "requested"): Promise<RecordingManifest> {
    this.#stopped ??= (async () => {
      clearInterval(this.#diskTimer);
      this.#unsubscribe();
      await Promise.all([...this.#starting]);
      await Promise.all([...this.#tracks.values()].map((t) => t.stop()));
      const manifest = this.#manifest(this.tracks, false);
      await this.#write(manifest);
      if (reason !== "requested") this.safeEmit("stopped", reason);
      return manifest;
    })();
    return this.#stopped;
  }

  /**
   * The manifest as of now. Time zero is when the first track's media flowed, not when
   * ffmpeg was being started. A partial one lists only tracks whose media flows (their
   * start is known) and leaves open tracks without an end.
   */
  #manifest(tracks: TrackInfo[], partial: boolean): RecordingManifest {
    const zero = tracks.length > 0 ? Math.min(...tracks.map((t) => t.startMs)) : 0;
    const end = Date.now() - this.startedAt;
    const endOf = (t: TrackInfo) => (t.endMs ?? (partial ? null : end));
    return {
      room: this.#options.room.name,
      startedAt: new Date(this.startedAt + zero).toISOString(),
      durationMs: end - zero,
      tracks: tracks.map((t) => ({ ...t, startMs: t.startMs - zero, endMs: endOf(t) === null ? null : endOf(t)! - zero })),
      speakers: this.#speakers.map((s) => ({ ...s, atMs: Math.max(0, s.atMs - zero) })),
      ...(partial ? { partial: true as const } : {}),
    };
  }

  /** Writes the partial manifest (what recovery needs), unless the final one is on its way. */
  #save() {
    if (this.#stopped) return;
    this.#speakersDirty = false;
    const started = [...this.#tracks.entries()].filter(([id]) => this.#flowing.has(id)).map(([, t]) => t.info);
    void this.#write(this.#manifest(started, true));
  }

  #write(manifest: RecordingManifest): Promise<void> {
    const file = path.join(this.#options.dir, MANIFEST_FILE);
    this.#writing = this.#writing.then(() =>
      writeFileDurably(file, JSON.stringify(manifest, null, 2)).catch((err: unknown) =>
        this.#options.log.warn({ err, file, final: !manifest.partial }, "the recording's manifest could not be written"),
      ),
    );
    return this.#writing;
  }
}

export class DiskLowError extends Error {
  constructor(minFree: number) {
    super(`less than ${Math.round(minFree / 1024 ** 2)} MiB of disk space is free`);
  }
}

