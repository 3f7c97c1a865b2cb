/**
 * A room: its peers and their producers, on one router or, past the consumer budget, on
 * several routers on different workers joined by pipe transports. Active speaker and
 * audio levels come from observers on each router.
 */
import type { types } from "mediasoup";
import { AppError } from "../server/errors.ts";
import type { Logger } from "../server/log.ts";
import { ROOM_CODECS } from "./codecs.ts";
import { TypedEmitter } from "./emitter.ts";
import { type MediaSource, Peer, type PeerGrants, type TransportOptions } from "./Peer.ts";
import type { PoolWorker, WorkerPool } from "./WorkerPool.ts";

export type RoomOptions = {
  /** Consumers one router takes before new peers go to a router on another worker. Default 500. */
  consumerBudget?: number;
  transport?: TransportOptions;
  log: Logger;
};

/** A router of the room with its observers and its share of the room's consumers. */
type RoomRouter = {
  router: types.Router;
  worker: PoolWorker;
  speakers: types.ActiveSpeakerObserver;
  levels: types.AudioLevelObserver;
  consumers: number;
};

/** A producer with its peer; `source` tells receivers what it is. */
export type RoomProducer = { producer: types.Producer; peer: Peer; source: MediaSource };

export type RoomEvents = {
  peerjoined: [Peer];
  peerleft: [Peer];
  newproducer: [RoomProducer];
  producerclosed: [RoomProducer];
  activespeaker: [Peer, string];
  audiolevels: [{ peer: Peer; producerId: string; volume: number }[]];
  /**
   * Routers of the room were replaced after their worker died: these peers lost their
   * media and must reconnect it (all peers when the room's first router went).
   */
  restarted: [Peer[]];
  close: [];
};

export class Room extends TypedEmitter<RoomEvents> {
  readonly name: string;
  // Routers, the first being where the room started.
  #routers: RoomRouter[] = [];
  // Peers by id.
  readonly #peers = new Map<string, Peer>();
  // Producers by id, with their peer.
  readonly #producers = new Map<string, RoomProducer>();
  // Pipe producers: `${producerId}:${routerId}` → id of the producer on that router.
  #pipes = new Map<string, Promise<string>>();
  readonly #pool: WorkerPool;
  readonly #options: RoomOptions;
  // Recovery in progress (the tail of the queue), so that two dying workers are handled one after the other.
  #restarting: Promise<void> | undefined;
  // Closed flag.
  #closed = false;

  private constructor(name: string, pool: WorkerPool, options: RoomOptions) {
    super();
    this.name = name;
    this.#pool = pool;
    this.#options = options;
    this.setListenerErrorHandler((event, err) => options.log.error({ err, event, room: name }, "room listener failed"));
  }

  static async create(name: string, pool: WorkerPool, options: RoomOptions): Promise<Room> {
    const room = new Room(name, pool, options);
    const worker = await pool.acquire();
    room.#routers = [await room.#newRouter(worker)];
    options.log.info({ room: name, worker: worker.index, pid: worker.pid }, "room opened");
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get peers(): ReadonlyMap<string, Peer> {
    return this.#peers;
  }
  get producers(): ReadonlyMap<string, RoomProducer> {
    return this.#producers;
  }
  get routers(): readonly { router: types.Router; worker: PoolWorker; consumers: number }[] {
    return this.#routers;
  }
  /** Whether any of the room's routers runs on `worker`. */
  usesWorker(worker: PoolWorker): boolean {
    return this.#routers.some((r) => r.worker === worker);
  }
  get rtpCapabilities(): types.RtpCapabilities {
    return this.#routers[0].router.rtpCapabilities;
  }

  peerByIdentity(identity: string): Peer | undefined {
    for (const peer of this.#peers.values()) if (peer.identity === identity) return peer;
    return undefined;
  }

  /** Adds a peer, placing it on a router with room in its consumer budget. */
  async join(input: { identity: string; name: string; grants: PeerGrants }): Promise<Peer> {
    if (this.#closed) throw new Error("the room is closed");
    await this.#restarting;
    const home = await this.#placeViewer();
    const peer = new Peer({ ...input, home: { router: home.router, worker: home.worker }, transport: this.#options.transport });
    home.worker.load += 1;
    this.#peers.set(peer.id, peer);
    peer.on("close", () => {
      this.#peers.delete(peer.id);
      peer.home.worker.load -= 1;
      this.safeEmit("peerleft", peer);
    });
    this.safeEmit("peerjoined", peer);
    return peer;
  }

  /** Creates a producer for `peer` and announces it. */
  async produce(peer: Peer, input: Parameters<Peer["produce"]>[0]): Promise<types.Producer> {
    return this.addProducer(peer, await peer.produce(input), input.source);
  }

  /**
   * Registers and announces a producer of `peer` made on its home router: besides
   * produce(), an RTP ingest through a PlainTransport (sfu/plain-tap.ts) uses it.
   */
  async addProducer(peer: Peer, producer: types.Producer, source: MediaSource): Promise<types.Producer> {
    const entry: RoomProducer = { producer, peer, source };
    this.#producers.set(producer.id, entry);
    producer.observer.once("close", () => {
      this.#producers.delete(producer.id);
      this.safeEmit("producerclosed", entry);
    });
    if (producer.kind === "audio") {
      const home = this.#routers.find((r) => r.router === peer.home.router);
      await home?.speakers.addProducer({ producerId: producer.id }).catch(() => {});
      await home?.levels.addProducer({ producerId: producer.id }).catch(() => {});
    }
    this.safeEmit("newproducer", entry);
    return producer;
  }

  /**
   * Consumes a producer of the room for `peer`, paused. A producer on another router is
   * piped to the viewer's router first (once per router).
   */
  async consume(peer: Peer, producerId: string): Promise<types.Consumer> {
    if (!peer.grants.canSubscribe) throw AppError.forbidden("forbidden", "Your room token does not allow subscribing");
    const entry = this.#producers.get(producerId);
    if (!entry) throw notFound();
    const local = await this.#producerOn(entry, peer.home.router);
    const consumer = await peer.consume(local, { producerId, peerId: entry.peer.id, source: entry.source });
    const home = this.#routers.find((r) => r.router === peer.home.router);
    if (home) {
      home.consumers += 1;
      consumer.observer.once("close", () => (home.consumers -= 1));
    }
    return consumer;
  }

  /**
   * Repairs the room after one of its workers died. When the first router's worker died,
   * the whole room restarts (see restart). When only a router that viewers were spread to
   * died, only that router is replaced: its peers move to another router and reconnect;
   * everyone else keeps their media.
   */
  recover(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#closed || this.#routers.length === 0) return;
      if (this.#routers[0].worker.worker.died) return this.#restartAll();
      const lost = this.#routers.filter((r) => r.worker.worker.died);
      if (lost.length === 0) return;
      const lostRouters = new Set(lost.map((r) => r.router));
      this.#routers = this.#routers.filter((r) => !lostRouters.has(r.router));
      for (const r of lost) {
        r.router.close();
        for (const key of [...this.#pipes.keys()]) if (key.endsWith(`:${r.router.id}`)) this.#pipes.delete(key);
      }
      const displaced = [...this.#peers.values()].filter((p) => lostRouters.has(p.home.router));
      if (displaced.length === 0) return;
      const home = await this.#placeViewer();
      for (const peer of displaced) this.#rehome(peer, home);
      this.#options.log.warn(
        { room: this.name, worker: home.worker.index, peers: displaced.length, routers: this.#routers.length },
        "room router replaced after its worker died",
      );
      this.safeEmit("restarted", displaced);
    });
  }

  /**
   * Moves the whole room to a healthy worker: every router is closed and one new router
   * made; peers keep their place but lose their media, and are told (event `restarted`)
   * to connect again.
   */
  restart(): Promise<void> {
    return this.#enqueue(() => this.#restartAll());
  }

  async #restartAll(): Promise<void> {
    if (this.#closed) return;
    for (const r of this.#routers) r.router.close();
    this.#pipes = new Map();
    const dead = new Set(this.#routers.map((r) => r.worker).filter((w) => w.worker.died));
    const fresh = await this.#newRouter(await this.#pool.acquire(dead));
    this.#routers = [fresh];
    for (const peer of this.#peers.values()) this.#rehome(peer, fresh);
    this.#options.log.warn({ room: this.name, worker: fresh.worker.index, peers: this.#peers.size }, "room restarted on another worker");
    this.safeEmit("restarted", [...this.#peers.values()]);
  }

  #rehome(peer: Peer, home: RoomRouter) {
    peer.home.worker.load -= 1;
    peer.rehome({ router: home.router, worker: home.worker });
    home.worker.load += 1;
  }

  /** Runs `task` after the recoveries already queued. */
  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = (this.#restarting ?? Promise.resolve()).then(task);
    const tail = run.catch(() => {});
    this.#restarting = tail;
    void tail.then(() => {
      if (this.#restarting === tail) this.#restarting = undefined;
    });
    return run;
  }

  /** Closes every peer and router. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    for (const r of this.#routers) r.router.close();
    this.#routers = [];
    this.safeEmit("close");
    this.removeAllListeners();
  }

  async #newRouter(worker: PoolWorker): Promise<RoomRouter> {
    const router = await worker.worker.createRouter({ mediaCodecs: ROOM_CODECS, appData: { room: this.name } });
    const speakers = await router.createActiveSpeakerObserver({ interval: 300 });
    const levels = await router.createAudioLevelObserver({ maxEntries: 8, threshold: -70, interval: 800 });
    speakers.on("dominantspeaker", ({ producer }) => {
      const entry = this.#originOf(producer.id);
      if (entry) this.safeEmit("activespeaker", entry.peer, entry.producer.id);
    });
    levels.on("volumes", (volumes) => {
      const list = volumes.flatMap(({ producer, volume }) => {
        const entry = this.#originOf(producer.id);
        return entry ? [{ peer: entry.peer, producerId: entry.producer.id, volume }] : [];
      });
      if (list.length > 0) this.safeEmit("audiolevels", list);
    });
    return { router, worker, speakers, levels, consumers: 0 };
  }

  #originOf(producerId: string): RoomProducer | undefined {
    return this.#producers.get(producerId);
  }

  /**
   * The router a new peer goes to: the first one under the consumer budget, else a new
   * router on the least loaded worker the room does not use yet.
   */
  async #placeViewer(): Promise<RoomRouter> {
    const budget = this.#options.consumerBudget ?? 500;
    const open = this.#routers.find((r) => r.consumers < budget);
    if (open) return open;
    const worker = await this.#pool.acquire(new Set(this.#routers.map((r) => r.worker)));
    const added = await this.#newRouter(worker);
    this.#routers.push(added);
    this.#options.log.info({ room: this.name, worker: worker.index, pid: worker.pid, routers: this.#routers.length }, "room spread to another router");
    return added;
  }

  /** The id under which `entry`'s producer is consumable on `router`. */
  async #producerOn(entry: RoomProducer, router: types.Router): Promise<string> {
    const source = entry.peer.home.router;
    if (source === router) return entry.producer.id;
    const key = `${entry.producer.id}:${router.id}`;
    let pipe = this.#pipes.get(key);
    if (!pipe) {
      // keepId must be false when both routers share a worker (mediasoup refuses the
      // duplicate id); always using false keeps one path.
      pipe = source
        .pipeToRouter({ producerId: entry.producer.id, router, keepId: false })
        .then(({ pipeProducer }) => {
          if (!pipeProducer) throw new Error("pipeToRouter returned no producer");
          return pipeProducer.id;
        });
      this.#pipes.set(key, pipe);
      pipe.catch(() => this.#pipes.delete(key));
    }
    return pipe;
  }
}

function notFound(): AppError {
  return AppError.notFound("No such producer");
}
