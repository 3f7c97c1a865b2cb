/**
 * Plenary's own media signaling over /ws: `media.*` requests drive the room/peer model,
 * and the model's events become `media.*` pushes. A socket holds at most one peer; the
 * join token (verified without the database) names the room and says what the peer may
 * do. A LiveKit-protocol front end would be a sibling of this file over the same model.
 */
import type { types } from "mediasoup";
import type { z } from "zod";
import { type JoinIdentity, verifyJoinToken } from "../server/accounts/join-tokens.ts";
import type { SigningKeys } from "../server/accounts/keys.ts";
import { AppError } from "../server/errors.ts";
import type { Logger } from "../server/log.ts";
import type { RealtimeConnection } from "../server/realtime/connection.ts";
import type { MessageContext, MessageRouter } from "../server/realtime/router.ts";
import type { Peer } from "./Peer.ts";
import type { Room, RoomProducer } from "./Room.ts";
import type { Sfu } from "./Sfu.ts";
import { mediaSchemas as s } from "./signaling-schemas.ts";
import { type IceServer, iceServersFor, type TurnOptions } from "./turn.ts";

/** The policy action every media message is checked against; the join token decides the rest. */
export const MEDIA_ACTION = "media.signal";

export type MediaSignalingOptions = {
  sfu: Sfu;
  keys: SigningKeys;
  turn: TurnOptions;
  log: Logger;
  /** Verifies a join token; default verifyJoinToken with `keys`. */
  verify?: (token: string) => Promise<JoinIdentity>;
};

/** A peer and the connection currently speaking for it (null while it is away). */
type Session = { peer: Peer; room: Room; connection: RealtimeConnection | null };

export function registerMediaMessages(router: MessageRouter, options: MediaSignalingOptions): void {
  const { sfu, log } = options;
  const verify = options.verify ?? ((token: string) => verifyJoinToken(options.keys, token));
  const byConnection = new Map<string, Session>();
  const byPeer = new Map<Peer, Session>();

  const push = (session: Session | undefined, frame: { t: string; [k: string]: unknown }) => session?.connection?.send(frame);
  const broadcast = (room: Room, frame: { t: string; [k: string]: unknown }, except?: Peer) => {
    const text = JSON.stringify(frame);
    for (const peer of room.peers.values()) if (peer !== except) byPeer.get(peer)?.connection?.sendText(text);
  };

  sfu.on("roomcreated", (room) => {
    room.on("peerjoined", (peer) => {
      if (!peer.grants.hidden) broadcast(room, { t: "media.peerJoined", peer: describePeer(peer) }, peer);
    });
    room.on("peerleft", (peer) => {
      const session = byPeer.get(peer);
      byPeer.delete(peer);
      if (session?.connection && byConnection.get(session.connection.id) === session) byConnection.delete(session.connection.id);
      if (!peer.grants.hidden) broadcast(room, { t: "media.peerLeft", peerId: peer.id });
    });
    room.on("newproducer", (entry) => broadcast(room, { t: "media.newProducer", producer: describeProducer(entry) }, entry.peer));
    room.on("producerclosed", (entry) => broadcast(room, { t: "media.producerClosed", producerId: entry.producer.id, peerId: entry.peer.id }, entry.peer));
    room.on("activespeaker", (peer, producerId) => broadcast(room, { t: "media.activeSpeaker", peerId: peer.id, producerId }));
    room.on("audiolevels", (levels) =>
      broadcast(room, { t: "media.audioLevels", levels: levels.map((l) => ({ peerId: l.peer.id, producerId: l.producerId, volume: l.volume })) }),
    );
    room.on("restarted", (affected) => {
      const text = JSON.stringify({ t: "media.reconnect", reason: "media_server_restarted", routerRtpCapabilities: room.rtpCapabilities });
      // A peer away at this moment misses the push; its resumed join says `restarted: true` instead.
      for (const peer of affected) byPeer.get(peer)?.connection?.sendText(text);
    });
  });

  const watchPeer = (session: Session) => {
    const { peer } = session;
    const send = (frame: { t: string; [k: string]: unknown }) => push(byPeer.get(peer), frame);
    peer.on("consumerclosed", (c) => send({ t: "media.consumerClosed", consumerId: c.id, producerId: origin(c).producerId }));
    peer.on("consumerpaused", (c) => send({ t: "media.consumerPaused", consumerId: c.id }));
    peer.on("consumerresumed", (c) => send({ t: "media.consumerResumed", consumerId: c.id }));
    peer.on("consumerlayerschange", (c, layers) =>
      send({ t: "media.consumerLayers", consumerId: c.id, spatialLayer: layers?.spatialLayer ?? null, temporalLayer: layers?.temporalLayer ?? null }),
    );
    peer.on("consumerscore", (c, score) => send({ t: "media.consumerScore", consumerId: c.id, score }));
    peer.on("producerscore", (p, score) => send({ t: "media.producerScore", producerId: p.id, score }));
  };

  /** The session of the connection, which must have joined. */
  const joined = (context: MessageContext): Session => {
    const session = byConnection.get(context.connection.id);
    if (!session || session.peer.closed) throw AppError.conflict("not_joined", "Join a room first (media.join)");
    return session;
  };

  const on = <S extends z.ZodType>(type: string, schema: S, handle: (payload: z.infer<S>, context: MessageContext) => unknown) =>
    router.on(type, {
      schema,
      action: MEDIA_ACTION,
      access: "anyone",
      handle: async (payload, context) => {
        try {
          return await handle(payload, context);
        } catch (error) {
          throw asClientError(error);
        }
      },
    });

  on("media.join", s.join, async ({ token, rtpCapabilities }, { connection }) => {
    const identity = await verify(token);
    if (byConnection.has(connection.id)) throw AppError.conflict("already_joined", "This connection has joined a room already");
    const { room, peer, resumed } = await sfu.join(identity.grants.room, {
      identity: identity.identity,
      name: identity.name,
      grants: { canPublish: identity.grants.canPublish, canSubscribe: identity.grants.canSubscribe, hidden: identity.grants.hidden },
    });
    const previous = byPeer.get(peer);
    if (previous?.connection && previous.connection.id !== connection.id) {
      // The same person joined from elsewhere (a new tab, a new socket): the old one yields.
      previous.connection.send({ t: "media.replaced" });
      byConnection.delete(previous.connection.id);
    }
    const session: Session = previous ?? { peer, room, connection };
    session.connection = connection;
    byConnection.set(connection.id, session);
    if (!previous) {
      byPeer.set(peer, session);
      watchPeer(session);
    }
    // A closing socket leaves its peer in the grace window rather than out of the room.
    void connection.closed.then(() => {
      if (byConnection.get(connection.id) !== session) return;
      byConnection.delete(connection.id);
      session.connection = null;
      sfu.detach(peer);
    });
    if (rtpCapabilities) peer.setRtpCapabilities(rtpCapabilities as types.RtpCapabilities);
    // Its media was lost (a worker died) and it has not started over yet: it must, now.
    const restarted = resumed && peer.mediaLost;
    log.debug({ room: room.name, peer: peer.id, identity: peer.identity, resumed, restarted }, "media peer joined");
    return {
      peerId: peer.id,
      resumed,
      restarted,
      routerRtpCapabilities: room.rtpCapabilities,
      iceServers: iceServersFor(options.turn, identity.identity) satisfies IceServer[],
      peers: [...room.peers.values()].filter((p) => p !== peer && !p.grants.hidden).map(describePeer),
      producers: [...room.producers.values()].filter((e) => e.peer !== peer).map(describeProducer),
      ...(resumed ? { own: describeOwn(peer) } : {}),
    };
  });

  on("media.routerCapabilities", s.empty, (_, context) => ({ routerRtpCapabilities: joined(context).room.rtpCapabilities }));

  on("media.capabilities", s.capabilities, ({ rtpCapabilities }, context) => {
    joined(context).peer.setRtpCapabilities(rtpCapabilities as types.RtpCapabilities);
    return null;
  });

  on("media.transport.create", s.createTransport, async ({ direction }, context) => {
    const transport = await joined(context).peer.createTransport(direction);
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  });

  on("media.transport.connect", s.connectTransport, async ({ transportId, dtlsParameters }, context) => {
    await joined(context).peer.connectTransport(transportId, dtlsParameters as types.DtlsParameters);
    return null;
  });

  on("media.transport.restartIce", s.transport, async ({ transportId }, context) => ({
    iceParameters: await joined(context).peer.restartIce(transportId),
  }));

  on("media.produce", s.produce, async (input, context) => {
    const { room, peer } = joined(context);
    const producer = await room.produce(peer, { ...input, rtpParameters: input.rtpParameters as types.RtpParameters });
    return { producerId: producer.id };
  });

  on("media.producer.pause", s.producer, async ({ producerId }, context) => {
    await joined(context).peer.producer(producerId).pause();
    return null;
  });
  on("media.producer.resume", s.producer, async ({ producerId }, context) => {
    await joined(context).peer.producer(producerId).resume();
    return null;
  });
  on("media.producer.close", s.producer, ({ producerId }, context) => {
    joined(context).peer.producer(producerId).close();
    return null;
  });

  on("media.consume", s.consume, async ({ producerId }, context) => {
    const { room, peer } = joined(context);
    return describeConsumer(await room.consume(peer, producerId));
  });

  // Batched forms, so that joining a room with many producers costs two messages, not two per producer.
  on("media.consumeMany", s.consumeMany, async ({ producerIds }, context) => {
    const { room, peer } = joined(context);
    const settled = await Promise.allSettled(producerIds.map((producerId) => room.consume(peer, producerId)));
    return {
      consumers: settled.map((result, i) =>
        result.status === "fulfilled" ? describeConsumer(result.value) : { producerId: producerIds[i], error: itemError(result.reason, log) },
      ),
    };
  });

  on("media.consumer.resume", s.consumer, async ({ consumerId }, context) => {
    await joined(context).peer.consumer(consumerId).resume();
    return null;
  });
  on("media.consumers.resume", s.consumers, async ({ consumerIds }, context) => {
    const { peer } = joined(context);
    const settled = await Promise.allSettled(consumerIds.map(async (consumerId) => peer.consumer(consumerId).resume()));
    return {
      errors: settled.flatMap((result, i) =>
        result.status === "rejected" ? [{ consumerId: consumerIds[i], error: itemError(result.reason, log) }] : [],
      ),
    };
  });
  on("media.consumer.pause", s.consumer, async ({ consumerId }, context) => {
    await joined(context).peer.consumer(consumerId).pause();
    return null;
  });
  on("media.consumer.setPreferredLayers", s.preferredLayers, async ({ consumerId, spatialLayer, temporalLayer }, context) => {
    await joined(context).peer.consumer(consumerId).setPreferredLayers({ spatialLayer, temporalLayer });
    return null;
  });

  on("media.leave", s.empty, (_, context) => {
    const session = joined(context);
    byConnection.delete(context.connection.id);
    session.connection = null;
    session.peer.close();
    return null;
  });
}

type ConsumerOrigin = { producerId: string; peerId: string; source: string };
function origin(consumer: types.Consumer): ConsumerOrigin {
  return consumer.appData as ConsumerOrigin;
}

function describePeer(peer: Peer) {
  return { id: peer.id, identity: peer.identity, name: peer.name };
}

function describeProducer(entry: RoomProducer) {
  const { producer, peer, source } = entry;
  return { id: producer.id, peerId: peer.id, kind: producer.kind, source, paused: producer.paused };
}

function describeConsumer(consumer: types.Consumer) {
  return {
    consumerId: consumer.id,
    producerId: origin(consumer).producerId,
    peerId: origin(consumer).peerId,
    source: origin(consumer).source,
    kind: consumer.kind,
    type: consumer.type,
    rtpParameters: consumer.rtpParameters,
    producerPaused: consumer.producerPaused,
  };
}

/** One failed item of a batch, as the `code` and `message` an error reply would carry. */
function itemError(error: unknown, log: Logger): { code: string; message: string } {
  const client = asClientError(error);
  if (client instanceof AppError) return { code: client.code, message: client.message };
  log.error({ err: error }, "media batch item failed");
  return { code: "internal", message: "Something went wrong on the server" };
}

/** What a resumed peer still has, so its client can keep or drop it. */
function describeOwn(peer: Peer) {
  return {
    transports: [...peer.transports.values()].map((t) => ({ transportId: t.id, direction: t.appData.direction })),
    producers: [...peer.producers.values()].map((p) => ({ producerId: p.id, kind: p.kind, source: p.appData.source })),
    consumers: [...peer.consumers.values()].map((c) => ({ consumerId: c.id, ...origin(c) })),
  };
}

/**
 * mediasoup rejects bad client input (RTP parameters it cannot use, a DTLS role it cannot
 * take) with TypeError or UnsupportedError: that is the client's mistake, not a bug.
 */
function asClientError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const name = (error as Error | undefined)?.name;
  if (name === "TypeError" || name === "UnsupportedError" || name === "InvalidStateError") {
    return AppError.badRequest("invalid_media", (error as Error).message);
  }
  return error;
}
