/**
 * One participant of a room as the SFU sees it: a send and a receive WebRtcTransport,
 * its producers and consumers, and what its join grants allow. Nothing here knows the
 * wire protocol; a signaling front end drives it and listens to its events.
 */
import { randomUUID } from "node:crypto";
import type { types } from "mediasoup";
import { AppError } from "../server/errors.ts";
import { TypedEmitter } from "./emitter.ts";
import type { PoolWorker } from "./WorkerPool.ts";

/** What a peer may do, as its join token granted. */
export type PeerGrants = {
  canPublish: boolean;
  canSubscribe: boolean;
  /** Not announced to other peers. */
  hidden: boolean;
};

/** Where a producer's media comes from, so receivers can lay tiles out. */
export type MediaSource = "microphone" | "camera" | "screen" | "screen-audio";
export type TransportDirection = "send" | "recv";

/** The router and worker a peer's transports live on. */
export type PeerHome = { router: types.Router; worker: PoolWorker };

export type PeerEvents = {
  close: [];
  consumerclosed: [types.Consumer];
  consumerpaused: [types.Consumer];
  consumerresumed: [types.Consumer];
  consumerlayerschange: [types.Consumer, types.ConsumerLayers | undefined];
  consumerscore: [types.Consumer, types.ConsumerScore];
  producerscore: [types.Producer, types.ProducerScore[]];
};

export type TransportOptions = {
  /** Starting estimate of the downlink, in bits per second. Default 1 Mbit/s. */
  initialOutgoingBitrate?: number;
  /** Cap on what one peer may send in total, in bits per second; 0 for none. */
  maxIncomingBitrate?: number;
};

export class Peer extends TypedEmitter<PeerEvents> {
  readonly id = randomUUID();
  readonly identity: string;
  readonly name: string;
  // What the latest join token allows; a rejoin may bring a new one (attendee made speaker).
  #grants: PeerGrants;
  // Router and worker the transports are created on; replaced when the room restarts.
  #home: PeerHome;
  // The peer's device capabilities, needed before it can consume.
  #rtpCapabilities: types.RtpCapabilities | undefined;
  // WebRTC transports by id.
  readonly #transports = new Map<string, types.WebRtcTransport>();
  // Producers by id.
  readonly #producers = new Map<string, types.Producer>();
  // Consumers by id.
  readonly #consumers = new Map<string, types.Consumer>();
  // Transport defaults.
  readonly #transportOptions: TransportOptions;
  // Set when the room restart took the peer's media; cleared when it opens a transport again.
  #mediaLost = false;
  // Closed flag.
  #closed = false;

  constructor(input: { identity: string; name: string; grants: PeerGrants; home: PeerHome; transport?: TransportOptions }) {
    super();
    this.identity = input.identity;
    this.name = input.name;
    this.#grants = input.grants;
    this.#home = input.home;
    this.#transportOptions = input.transport ?? {};
  }

  get closed(): boolean {
    return this.#closed;
  }
  get grants(): PeerGrants {
    return this.#grants;
  }

  /** Applies a newer token's grants; transports the new grants do not allow are closed. */
  updateGrants(grants: PeerGrants): void {
    this.#grants = grants;
    for (const transport of [...this.#transports.values()]) {
      const direction = transport.appData.direction;
      if ((direction === "send" && !grants.canPublish) || (direction === "recv" && !grants.canSubscribe)) transport.close();
    }
  }
  /**
   * Whether the peer's media was lost to a dying worker (see rehome) and it has not opened a
   * transport since: a client resuming in that state must start its media over.
   */
  get mediaLost(): boolean {
    return this.#mediaLost;
  }
  get home(): PeerHome {
    return this.#home;
  }
  get rtpCapabilities(): types.RtpCapabilities | undefined {
    return this.#rtpCapabilities;
  }
  get transports(): ReadonlyMap<string, types.WebRtcTransport> {
    return this.#transports;
  }
  get producers(): ReadonlyMap<string, types.Producer> {
    return this.#producers;
  }
  get consumers(): ReadonlyMap<string, types.Consumer> {
    return this.#consumers;
  }

  setRtpCapabilities(capabilities: types.RtpCapabilities): void {
    this.#rtpCapabilities = capabilities;
  }

  /** A send or receive transport on the peer's router, over the worker's shared ports. */
  async createTransport(direction: TransportDirection): Promise<types.WebRtcTransport> {
    this.#assertOpen();
    if (direction === "send" && !this.#grants.canPublish) throw forbidden("Your room token does not allow publishing");
    if (direction === "recv" && !this.#grants.canSubscribe) throw forbidden("Your room token does not allow subscribing");
    const existing = [...this.#transports.values()].filter((t) => t.appData.direction === direction);
    // A client that lost its transport makes a new one; two of a kind would leak.
    for (const transport of existing) transport.close();
    const transport = await this.#home.router.createWebRtcTransport({
      webRtcServer: this.#home.worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#transportOptions.initialOutgoingBitrate ?? 1_000_000,
      appData: { direction },
    });
    if (this.#closed) {
      transport.close();
      throw gone();
    }
    const max = this.#transportOptions.maxIncomingBitrate ?? 0;
    if (direction === "send" && max > 0) await transport.setMaxIncomingBitrate(max).catch(() => {});
    this.#transports.set(transport.id, transport);
    this.#mediaLost = false;
    transport.observer.once("close", () => this.#transports.delete(transport.id));
    return transport;
  }

  transport(id: string): types.WebRtcTransport {
    const transport = this.#transports.get(id);
    if (!transport) throw AppError.notFound("No such transport");
    return transport;
  }

  async connectTransport(id: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.transport(id).connect({ dtlsParameters });
  }

  async restartIce(id: string): Promise<types.IceParameters> {
    return this.transport(id).restartIce();
  }

  /** Creates a producer on the send transport; the room announces it. */
  async produce(input: {
    transportId: string;
    kind: types.MediaKind;
    rtpParameters: types.RtpParameters;
    source: MediaSource;
    paused?: boolean;
  }): Promise<types.Producer> {
    this.#assertOpen();
    if (!this.#grants.canPublish) throw forbidden("Your room token does not allow publishing");
    const expected = input.source === "microphone" || input.source === "screen-audio" ? "audio" : "video";
    if (input.kind !== expected) throw AppError.badRequest("kind_mismatch", `A ${input.source} producer must be ${expected}`);
    const transport = this.transport(input.transportId);
    if (transport.appData.direction !== "send") throw AppError.badRequest("wrong_transport", "Produce on the send transport");
    const producer = await transport.produce({
      kind: input.kind,
      rtpParameters: input.rtpParameters,
      paused: input.paused ?? false,
      appData: { source: input.source, peerId: this.id },
    });
    this.#producers.set(producer.id, producer);
    producer.observer.once("close", () => this.#producers.delete(producer.id));
    producer.on("score", (score) => this.safeEmit("producerscore", producer, score));
    return producer;
  }

  producer(id: string): types.Producer {
    const producer = this.#producers.get(id);
    if (!producer) throw AppError.notFound("No such producer");
    return producer;
  }

  /** Consumes `producerId` (a producer on the peer's own router) paused; the client resumes it. */
  async consume(producerId: string, origin: { producerId: string; peerId: string; source: MediaSource }): Promise<types.Consumer> {
    this.#assertOpen();
    if (!this.#grants.canSubscribe) throw forbidden("Your room token does not allow subscribing");
    const capabilities = this.#rtpCapabilities;
    if (!capabilities) throw AppError.badRequest("no_capabilities", "Send your device's RTP capabilities first");
    if (!this.#home.router.canConsume({ producerId, rtpCapabilities: capabilities })) {
      throw AppError.badRequest("cannot_consume", "Your device cannot decode this media");
    }
    const transport = [...this.#transports.values()].find((t) => t.appData.direction === "recv");
    if (!transport) throw AppError.badRequest("no_transport", "Create a receive transport first");
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities: capabilities,
      paused: true,
      enableRtx: true,
      ignoreDtx: true,
      // Clients see the original producer's id, not the id of a pipe producer.
      appData: { ...origin },
    });
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once("close", () => {
      this.#consumers.delete(consumer.id);
      this.safeEmit("consumerclosed", consumer);
    });
    consumer.on("producerpause", () => this.safeEmit("consumerpaused", consumer));
    consumer.on("producerresume", () => this.safeEmit("consumerresumed", consumer));
    consumer.on("layerschange", (layers) => this.safeEmit("consumerlayerschange", consumer, layers));
    consumer.on("score", (score) => this.safeEmit("consumerscore", consumer, score));
    return consumer;
  }

  consumer(id: string): types.Consumer {
    const consumer = this.#consumers.get(id);
    if (!consumer) throw AppError.notFound("No such consumer");
    return consumer;
  }

  /**
   * Forgets every transport, producer and consumer (closing those still open) and moves
   * to a new router: after the old router's worker died, the client starts over.
   */
  rehome(home: PeerHome): void {
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.#home = home;
    this.#mediaLost = true;
  }

  /** Closes the transports, and with them every producer and consumer. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.safeEmit("close");
    this.removeAllListeners();
  }

  #assertOpen() {
    if (this.#closed) throw gone();
  }
}

function forbidden(message: string): AppError {
  return AppError.forbidden("forbidden", message);
}

function gone(): AppError {
  return AppError.conflict("peer_closed", "You have left the room");
}
