/**
 * The SFU service: the worker pool and the rooms on it. Rooms are made on first join and
 * closed when their last peer leaves. A peer whose signaling connection drops is kept for
 * a grace window, so a client that reconnects resumes as the same peer. When a worker
 * dies, every room that used it recovers on a healthy worker (see Room.recover).
 */
import type { Logger } from "../server/log.ts";
import type { types } from "mediasoup";
import { ROOM_CODECS } from "./codecs.ts";
import { TypedEmitter } from "./emitter.ts";
import type { Peer, PeerGrants, TransportOptions } from "./Peer.ts";
import { Room } from "./Room.ts";
import { WorkerPool, type WorkerPoolOptions } from "./WorkerPool.ts";

export type SfuOptions = WorkerPoolOptions & {
  /** Consumers per router before a room spreads to another worker. Default 500. */
  consumerBudget?: number;
  /** How long a disconnected peer keeps its place, in milliseconds. Default 15 s. */
  reconnectGraceMs?: number;
  transport?: TransportOptions;
};

export type SfuEvents = {
  roomcreated: [Room];
  roomclosed: [Room];
};

export class Sfu extends TypedEmitter<SfuEvents> {
  readonly pool: WorkerPool;
  // Rooms by name.
  readonly #rooms = new Map<string, Room>();
  // Rooms being created, so that two first joins make one room.
  readonly #creating = new Map<string, Promise<Room>>();
  // Disconnected peers waiting out their grace window.
  readonly #graceTimers = new Map<Peer, NodeJS.Timeout>();
  readonly #options: SfuOptions;
  // What every room's router can do (they all share ROOM_CODECS), known before any room exists.
  readonly #rtpCapabilities: types.RtpCapabilities;
  // Closed flag.
  #closed = false;

  private constructor(pool: WorkerPool, options: SfuOptions, rtpCapabilities: types.RtpCapabilities) {
    super();
    this.pool = pool;
    this.#options = options;
    this.#rtpCapabilities = rtpCapabilities;
    this.setListenerErrorHandler((event, err) => options.log.error({ err, event }, "sfu listener failed"));
    pool.on("workerdied", (dead) => {
      for (const room of this.#rooms.values()) {
        if (!room.usesWorker(dead)) continue;
        room.recover().catch((err: unknown) => {
          options.log.error({ err, room: room.name }, "room restart failed; closing it");
          room.close();
        });
      }
    });
  }

  static async create(options: SfuOptions): Promise<Sfu> {
    const pool = await WorkerPool.create(options);
    // Router capabilities follow from the codec list alone; a probe router reads them once.
    const probe = await (await pool.acquire()).worker.createRouter({ mediaCodecs: ROOM_CODECS });
    const capabilities = probe.rtpCapabilities;
    probe.close();
    return new Sfu(pool, options, capabilities);
  }

  /**
   * The RTP capabilities of every room's routers: a page can load its mediasoup device with
   * them before it joins (the join-token reply hands them out), which takes a round trip
   * and the device's set-up off the time between clicking join and seeing the stage.
   */
  get rtpCapabilities(): types.RtpCapabilities {
    return this.#rtpCapabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get rooms(): ReadonlyMap<string, Room> {
    return this.#rooms;
  }

  /**
   * Joins `roomName` as `identity`. A peer of the same identity already in the room is
   * resumed (`resumed: true`) with its transports, producers and consumers intact.
   */
  async join(roomName: string, input: { identity: string; name: string; grants: PeerGrants }): Promise<{ room: Room; peer: Peer; resumed: boolean }> {
    if (this.#closed) throw new Error("the SFU is closed");
    const room = await this.#room(roomName);
    const existing = room.peerByIdentity(input.identity);
    if (existing && !existing.closed) {
      clearTimeout(this.#graceTimers.get(existing));
      this.#graceTimers.delete(existing);
      existing.updateGrants(input.grants);
      return { room, peer: existing, resumed: true };
    }
    return { room, peer: await room.join(input), resumed: false };
  }

  /** The peer lost its connection: it leaves unless it comes back within the grace window. */
  detach(peer: Peer): void {
    if (peer.closed || this.#graceTimers.has(peer)) return;
    const timer = setTimeout(() => {
      this.#graceTimers.delete(peer);
      peer.close();
    }, this.#options.reconnectGraceMs ?? 15_000);
    timer.unref();
    this.#graceTimers.set(peer, timer);
  }

  /**
   * Takes a person out of every room at once, with no grace window to come back in (a ban):
   * their transports, producers and consumers close. Returns how many peers closed.
   */
  removeIdentity(identity: string): number {
    let removed = 0;
    for (const room of this.#rooms.values()) {
      const peer = room.peerByIdentity(identity);
      if (!peer || peer.closed) continue;
      clearTimeout(this.#graceTimers.get(peer));
      this.#graceTimers.delete(peer);
      peer.close();
      removed += 1;
    }
    return removed;
  }

  /** Closes every room and worker. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    for (const room of [...this.#rooms.values()]) room.close();
    this.pool.close();
    this.removeAllListeners();
  }

  async #room(name: string): Promise<Room> {
    const open = this.#rooms.get(name);
    if (open && !open.closed) return open;
    let creating = this.#creating.get(name);
    if (!creating) {
      creating = Room.create(name, this.pool, {
        consumerBudget: this.#options.consumerBudget,
        transport: this.#options.transport,
        log: this.#options.log,
      }).finally(() => this.#creating.delete(name));
      this.#creating.set(name, creating);
      const room = await creating;
      this.#rooms.set(name, room);
      room.on("peerleft", () => {
        // Closed on the next turn, so a peer leaving during a restart does not race it.
        if (room.peers.size === 0) setImmediate(() => room.peers.size === 0 && room.close());
      });
      room.on("close", () => {
        if (this.#rooms.get(name) === room) this.#rooms.delete(name);
        this.safeEmit("roomclosed", room);
      });
      this.safeEmit("roomcreated", room);
      return room;
    }
    return creating;
  }
}
