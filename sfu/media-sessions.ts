/**
 * Which connection speaks for which peer. A socket holds at most one peer; a peer keeps its
 * session while its socket is away (the grace window), and a new socket takes it over. The
 * media and room message handlers share this table.
 */
import { AppError } from "../server/errors.ts";
import type { RealtimeConnection } from "../server/realtime/connection.ts";
import type { MessageContext } from "../server/realtime/router.ts";
import type { Peer } from "./Peer.ts";
import type { Room } from "./Room.ts";
import type { RoomRole } from "./RoomControl.ts";

/** A peer and the connection currently speaking for it (null while it is away). */
export type MediaSession = {
  peer: Peer;
  room: Room;
  connection: RealtimeConnection | null;
  /** The role the join token gave (event team: host; speakers: speaker; ticket holders: attendee). */
  tokenRole: RoomRole;
  /** When a fresh join was handled (performance.now()), until its first consumers are resumed. */
  joinedAt?: number;
  /**
   * Consumers a join made with its receive transport: they are resumed as soon as that
   * transport connects (the client has them set up by then), sparing a round trip.
   */
  resumeOnConnect?: { transportId: string; consumerIds: string[] };
};

export type PushFrame = { t: string; [k: string]: unknown };

export class MediaSessions {
  readonly byConnection = new Map<string, MediaSession>();
  readonly byPeer = new Map<Peer, MediaSession>();

  /** Sends to the peer's current connection, if it has one. */
  toPeer(peer: Peer, frame: PushFrame): void {
    this.byPeer.get(peer)?.connection?.send(frame);
  }

  /** Sends one serialized frame to every peer of the room that `include` accepts. */
  broadcast(room: Room, frame: PushFrame, include: (peer: Peer) => boolean = () => true): void {
    const text = JSON.stringify(frame);
    for (const peer of room.peers.values()) if (include(peer)) this.byPeer.get(peer)?.connection?.sendText(text);
  }

  /** The session of the connection, which must have joined. */
  joined(context: MessageContext): MediaSession {
    const session = this.byConnection.get(context.connection.id);
    if (!session || session.peer.closed) throw AppError.conflict("not_joined", "Join a room first (media.join)");
    return session;
  }

  /** Forgets a peer that left the room. */
  forget(peer: Peer): void {
    const session = this.byPeer.get(peer);
    this.byPeer.delete(peer);
    if (session?.connection && this.byConnection.get(session.connection.id) === session) this.byConnection.delete(session.connection.id);
  }
}
