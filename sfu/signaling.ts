/**
 * Plenary's own media signaling over /ws: `media.*` requests drive the room/peer model,
 * and the model's events become `media.*` pushes. A socket holds at most one peer; the
 * join token (verified without the database) names the room and says what the peer may
 * do. A LiveKit-protocol front end would be a sibling of this file over the same model.
 */
import type { types } from "mediasoup";
import type { z } from "zod";
import { type JoinGrants, type JoinIdentity, verifyJoinToken } from "../server/accounts/join-tokens.ts";
import type { SigningKeys } from "../server/accounts/keys.ts";
import { AppError } from "../server/errors.ts";
import type { Logger } from "../server/log.ts";
import type { MessageContext, MessageRouter } from "../server/realtime/router.ts";
import { type MediaSession, MediaSessions, type PushFrame } from "./media-sessions.ts";
import type { Peer } from "./Peer.ts";
import type { Room, RoomProducer } from "./Room.ts";
import type { RoomDirectory, RoomRole } from "./RoomControl.ts";
import { registerRoomMessages, roomSnapshot } from "./room-messages.ts";
import { RoomModeration } from "./room-moderation.ts";
import type { Sfu } from "./Sfu.ts";
import { MAX_BATCH, mediaSchemas as s } from "./signaling-schemas.ts";
import { asClientError } from "./client-errors.ts";
import { type IceServer, iceServersFor, type TurnOptions } from "./turn.ts";

/** The policy action every media message is checked against; the join token decides the rest. */
export const MEDIA_ACTION = "media.signal";

export type MediaSignalingOptions = {
  sfu: Sfu;
  keys: SigningKeys;
  turn: TurnOptions;
  log: Logger;
  /** Settings and bans of rooms that belong to event sessions; without it every room is open. */
  directory?: RoomDirectory;
  /** Verifies a join token; default verifyJoinToken with `keys`. */
  verify?: (token: string) => Promise<JoinIdentity>;
};

export function registerMediaMessages(router: MessageRouter, options: MediaSignalingOptions): RoomModeration {
  const { sfu, log } = options;
  const verify = options.verify ?? ((token: string) => verifyJoinToken(options.keys, token));
  const sessions = new MediaSessions();
  const { byConnection, byPeer } = sessions;
  const moderation = new RoomModeration({ sfu, sessions, directory: options.directory, log });
  const broadcast = (room: Room, frame: PushFrame, except?: Peer) => sessions.broadcast(room, frame, (peer) => peer !== except);

  // Peers whose arrival was announced one by one, so that their leaving is announced too.
  const announced = new WeakSet<Peer>();
  sfu.on("roomcreated", (room) => {
    room.on("peerjoined", (peer) => {
      if (peer.grants.hidden || !(peer.grants.canPublish || listsEveryone(room))) return;
      announced.add(peer);
      broadcast(room, { t: "media.peerJoined", peer: describePeer(peer) }, peer);
    });
    room.on("peerleft", (peer) => {
      sessions.forget(peer);
      if (announced.has(peer)) broadcast(room, { t: "media.peerLeft", peerId: peer.id });
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

  const watchPeer = (session: MediaSession) => {
    const { peer } = session;
    const send = (frame: PushFrame) => sessions.toPeer(peer, frame);
    peer.on("consumerclosed", (c) => send({ t: "media.consumerClosed", consumerId: c.id, producerId: origin(c).producerId }));
    peer.on("consumerpaused", (c) => send({ t: "media.consumerPaused", consumerId: c.id }));
    peer.on("consumerresumed", (c) => send({ t: "media.consumerResumed", consumerId: c.id }));
    peer.on("consumerlayerschange", (c, layers) =>
      send({ t: "media.consumerLayers", consumerId: c.id, spatialLayer: layers?.spatialLayer ?? null, temporalLayer: layers?.temporalLayer ?? null }),
    );
    peer.on("consumerscore", (c, score) => send({ t: "media.consumerScore", consumerId: c.id, score }));
    peer.on("producerscore", (p, score) => send({ t: "media.producerScore", producerId: p.id, score }));
  };

  const joined = (context: MessageContext): MediaSession => sessions.joined(context);

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

  on("media.join", s.join, async ({ token, rtpCapabilities, transports }, { connection }) => {
    const joinStarted = performance.now();
    const identity = await verify(token);
    if (byConnection.has(connection.id)) throw AppError.conflict("already_joined", "This connection has joined a room already");
    // A join token minted before a ban is still signed and unexpired; the ban wins.
    if (await options.directory?.barred?.(identity.identity)) throw AppError.forbidden("banned", "This account is banned");
    // The socket may be anonymous (the token is the proof): cutting this person off closes it too.
    connection.actFor(identity.identity);
    const { grants } = identity;
    const tokenRole = roleFromGrants(grants);
    const gate = await moderation.gate({
      room: grants.room, identity: identity.identity, name: identity.name, tokenRole, hidden: grants.hidden, connection,
    });
    if (gate.kind === "lobby") {
      const { entry, hosts } = gate;
      return { lobby: { id: entry.id, reason: entry.reason, hosts } };
    }
    const { room, peer, resumed } = await sfu.join(grants.room, {
      identity: identity.identity,
      name: identity.name,
      grants: { canPublish: gate.role !== "attendee", canSubscribe: grants.canSubscribe, hidden: grants.hidden },
    });
    const previous = byPeer.get(peer);
    if (previous?.connection && previous.connection.id !== connection.id) {
      // The same person joined from elsewhere (a new tab, a new socket): the old one yields.
      previous.connection.send({ t: "media.replaced" });
      byConnection.delete(previous.connection.id);
    }
    const session: MediaSession = previous ?? { peer, room, connection, tokenRole };
    session.connection = connection;
    session.tokenRole = tokenRole;
    byConnection.set(connection.id, session);
    if (!previous) {
      byPeer.set(peer, session);
      watchPeer(session);
      session.joinedAt = joinStarted;
      if (!grants.hidden && options.directory) {
        options.directory.attended(room.name, identity.identity).catch((err: unknown) => log.error({ err, room: room.name }, "recording attendance failed"));
      }
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
    moderation.schedule(room.name);
    const producers = [...room.producers.values()].filter((e) => e.peer !== peer);
    const everyone = listsEveryone(room);
    const prepared = transports && !resumed ? await prepareMedia(session, new Set(transports), rtpCapabilities !== undefined, producers.slice(0, MAX_BATCH)) : {};
    return {
      // The room as others see it (flags, stage, audience count), so that the page needs no second request.
      room: roomSnapshot(moderation, session, gate.control),
      peerId: peer.id,
      resumed,
      restarted,
      role: gate.role,
      routerRtpCapabilities: room.rtpCapabilities,
      iceServers: iceServersFor(options.turn, identity.identity) satisfies IceServer[],
      peers: [...room.peers.values()].filter((p) => p !== peer && !p.grants.hidden && (p.grants.canPublish || everyone)).map(describePeer),
      producers: producers.map(describeProducer),
      ...prepared,
      ...(resumed ? { own: describeOwn(peer) } : {}),
    };
  });

  on("media.routerCapabilities", s.empty, (_, context) => ({ routerRtpCapabilities: joined(context).room.rtpCapabilities }));

  on("media.capabilities", s.capabilities, ({ rtpCapabilities }, context) => {
    joined(context).peer.setRtpCapabilities(rtpCapabilities as types.RtpCapabilities);
    return null;
  });

  on("media.transport.create", s.createTransport, async ({ direction }, context) => describeTransport(await joined(context).peer.createTransport(direction)));

  /** Consumes producers of the room for `peer`, paused; a producer that fails is an item with an error. */
  const consumeAll = async (room: Room, peer: Peer, producerIds: string[]) => {
    const settled = await Promise.allSettled(producerIds.map((producerId) => room.consume(peer, producerId)));
    return settled.map((result, i) =>
      result.status === "fulfilled" ? describeConsumer(result.value) : { producerId: producerIds[i], error: itemError(result.reason, log) },
    );
  };

  /** The transports a fresh join asked for (both at once), and with a receive transport the room's producers consumed. */
  const prepareMedia = async (session: MediaSession, wanted: Set<string>, capable: boolean, producers: RoomProducer[]) => {
    const { peer, room } = session;
    const [send, recv] = await Promise.all([
      wanted.has("send") && peer.grants.canPublish ? peer.createTransport("send") : undefined,
      wanted.has("recv") && peer.grants.canSubscribe ? peer.createTransport("recv") : undefined,
    ]);
    const consumers = recv && capable && producers.length > 0 ? await consumeAll(room, peer, producers.map((e) => e.producer.id)) : [];
    const consumerIds = consumers.flatMap((c) => ("consumerId" in c ? [c.consumerId] : []));
    if (recv && consumerIds.length > 0) session.resumeOnConnect = { transportId: recv.id, consumerIds };
    return {
      transports: { ...(send ? { send: describeTransport(send) } : {}), ...(recv ? { recv: describeTransport(recv) } : {}) },
      consumers,
    };
  };

  on("media.transport.connect", s.connectTransport, async ({ transportId, dtlsParameters }, context) => {
    const session = joined(context);
    await session.peer.connectTransport(transportId, dtlsParameters as types.DtlsParameters);
    const pending = session.resumeOnConnect;
    if (pending?.transportId === transportId) {
      session.resumeOnConnect = undefined;
      await resumeAll(session, pending.consumerIds);
    }
    return null;
  });

  on("media.transport.restartIce", s.transport, async ({ transportId }, context) => ({
    iceParameters: await joined(context).peer.restartIce(transportId),
  }));

  on("media.produce", s.produce, async (input, context) => {
    const session = joined(context);
    const { room, peer } = session;
    // Media a host muted without allowing it back starts paused, whatever the client asks.
    const locked = moderation.controlOf(room.name)?.mediaLocked(peer.identity, input.source) ?? false;
    const producer = await room.produce(peer, { ...input, paused: input.paused || locked, rtpParameters: input.rtpParameters as types.RtpParameters });
    return { producerId: producer.id, paused: producer.paused };
  });

  on("media.producer.pause", s.producer, async ({ producerId }, context) => {
    const { room, peer } = joined(context);
    await peer.producer(producerId).pause();
    moderation.schedule(room.name);
    return null;
  });
  on("media.producer.resume", s.producer, async ({ producerId }, context) => {
    const { room, peer } = joined(context);
    const producer = peer.producer(producerId);
    if (moderation.controlOf(room.name)?.mediaLocked(peer.identity, String(producer.appData.source))) {
      throw AppError.forbidden("muted_by_host", "A host muted this; ask a host to allow you to turn it back on");
    }
    await producer.resume();
    moderation.schedule(room.name);
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
    return { consumers: await consumeAll(room, peer, producerIds) };
  });

  on("media.consumer.resume", s.consumer, async ({ consumerId }, context) => {
    await joined(context).peer.consumer(consumerId).resume();
    return null;
  });
  /** Resumes consumers of the session's peer (resuming one twice does nothing); the first time, logs the server's share of joining. */
  const resumeAll = async (session: MediaSession, consumerIds: string[]) => {
    const { peer } = session;
    const settled = await Promise.allSettled(consumerIds.map(async (consumerId) => peer.consumer(consumerId).resume()));
    if (session.joinedAt !== undefined) {
      // The server's share of joining: the join message in, the first consumers flowing out.
      log.info({ room: session.room.name, peer: peer.id, joinToResumeMs: performance.now() - session.joinedAt }, "media peer receiving");
      session.joinedAt = undefined;
    }
    return settled;
  };

  on("media.consumers.resume", s.consumers, async ({ consumerIds }, context) => {
    const settled = await resumeAll(joined(context), consumerIds);
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

  registerRoomMessages(router, { sfu, sessions, moderation, log });
  return moderation;
}

/**
 * Up to this many visible peers, every peer is announced (media.peerJoined, media.peerLeft,
 * the join reply's `peers`), as small meetings expect; past it only publishers are, and the
 * audience is a count in the room's roster (room-roster.ts).
 */
export const LISTED_ROOM_SIZE = 50;

function listsEveryone(room: Room): boolean {
  let visible = 0;
  for (const peer of room.peers.values()) if (!peer.grants.hidden && ++visible > LISTED_ROOM_SIZE) return false;
  return true;
}

/** The room role a join token gives: room admins host, publishers speak, everyone else attends. */
function roleFromGrants(grants: JoinGrants): RoomRole {
  return grants.roomAdmin ? "host" : grants.canPublish ? "speaker" : "attendee";
}

type ConsumerOrigin = { producerId: string; peerId: string; source: string };
function origin(consumer: types.Consumer): ConsumerOrigin {
  return consumer.appData as ConsumerOrigin;
}

function describePeer(peer: Peer) {
  return { id: peer.id, identity: peer.identity, name: peer.name };
}

function describeTransport(transport: types.WebRtcTransport) {
  return {
    transportId: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  };
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
