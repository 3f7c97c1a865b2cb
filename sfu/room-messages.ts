/**
 * The `room.*` messages: hands, roles and the stage, host muting, screen-share stop,
 * removal and bans, lock, lobby decisions and ending the session. Everyone in the room may
 * send the participant ones (`room.participate`); the rest need the host role in this room
 * (`room.host`), which the server keeps per identity (see RoomControl). A role a host raises
 * someone to is kept in the database until they are sent back, removed or the room is ended,
 * so that a restart gives it back (room-moderation.ts).
 */
import { z } from "zod";
import { type Actor, actorFor, ANONYMOUS } from "../server/accounts/actor.ts";
import { can } from "../server/accounts/policy.ts";
import { AppError } from "../server/errors.ts";
import type { Logger } from "../server/log.ts";
import type { RealtimeConnection } from "../server/realtime/connection.ts";
import type { MessageContext, MessageRouter } from "../server/realtime/router.ts";
import type { MediaSession, MediaSessions } from "./media-sessions.ts";
import type { RoomModeration } from "./room-moderation.ts";
import { MAX_PAGE } from "./room-roster.ts";
import type { RoomControl } from "./RoomControl.ts";
import type { Sfu } from "./Sfu.ts";

export const ROOM_PARTICIPATE = "room.participate";
export const ROOM_HOST = "room.host";

const id = z.string().min(1).max(64);
const mutable = z.enum(["microphone", "camera"]);
export const roomSchemas = {
  empty: z.strictObject({}),
  lowerHand: z.strictObject({ peerId: id.optional() }),
  setRole: z.strictObject({ peerId: id, role: z.enum(["host", "speaker", "attendee"]) }),
  mute: z.strictObject({ peerId: id, source: mutable, allowUnmute: z.boolean().default(true) }),
  allowUnmute: z.strictObject({ peerId: id, source: mutable }),
  peer: z.strictObject({ peerId: id }),
  remove: z.strictObject({ peerId: id, ban: z.boolean().default(false) }),
  lock: z.strictObject({ locked: z.boolean() }),
  admit: z.strictObject({ lobbyId: id.optional() }),
  deny: z.strictObject({ lobbyId: id }),
  participants: z.strictObject({
    query: z.string().max(100).optional(),
    cursor: z.string().max(512).optional(),
    limit: z.number().int().min(1).max(MAX_PAGE).default(50),
  }),
};

type Deps = { sfu: Sfu; sessions: MediaSessions; moderation: RoomModeration; log: Logger };

export function registerRoomMessages(router: MessageRouter, { sessions, moderation, log }: Deps): void {
  type Handler<S extends z.ZodType> = (payload: z.infer<S>, session: MediaSession, control: RoomControl) => unknown;
  const define = <S extends z.ZodType>(type: string, action: string, schema: S, handle: Handler<S>) =>
    router.on(type, {
      schema,
      action,
      access: "anyone",
      handle: async (payload, context: MessageContext) => {
        const session = sessions.joined(context);
        const control = await moderation.control(session.room.name);
        const role = moderation.roleOf(session);
        if (action === ROOM_HOST && !can(actorOf(context.connection), ROOM_HOST, { kind: "room", id: session.room.name, role })) {
          throw AppError.forbidden("not_host", "Only a host of this room may do that");
        }
        return handle(payload, session, control);
      },
    });
  const participant = <S extends z.ZodType>(type: string, schema: S, handle: Handler<S>) => define(type, ROOM_PARTICIPATE, schema, handle);
  const host = <S extends z.ZodType>(type: string, schema: S, handle: Handler<S>) => define(type, ROOM_HOST, schema, handle);

  /** The session of another peer in the caller's room. */
  const target = (session: MediaSession, peerId: string): MediaSession => {
    const peer = session.room.peers.get(peerId);
    const found = peer && !peer.grants.hidden ? sessions.byPeer.get(peer) : undefined;
    if (!found) throw AppError.notFound("Nobody with that id is in this room");
    return found;
  };
  const teamHost = (session: MediaSession) => {
    if (session.tokenRole === "host") {
      throw AppError.conflict("team_host", "This person moderates the event; their host role stays with them");
    }
  };

  participant("room.state", roomSchemas.empty, (_, session, control) => roomSnapshot(moderation, session, control));

  // The audience is never pushed; hosts page through it and search it.
  host("room.participants", roomSchemas.participants, ({ query, cursor, limit }, session) =>
    moderation.roster.participants(session.room, { query, cursor, limit }),
  );

  participant("room.hand.raise", roomSchemas.empty, (_, session, control) => {
    control.raiseHand(session.peer.identity);
    return null;
  });

  participant("room.hand.lower", roomSchemas.lowerHand, ({ peerId }, session, control) => {
    if (peerId === undefined || peerId === session.peer.id) {
      control.lowerHand(session.peer.identity);
      return null;
    }
    if (moderation.roleOf(session) !== "host") throw AppError.forbidden("not_host", "Only a host may lower someone else's hand");
    control.lowerHand(target(session, peerId).peer.identity);
    return null;
  });

  host("room.peer.setRole", roomSchemas.setRole, async ({ peerId, role }, session, control) => {
    const other = target(session, peerId);
    const current = moderation.roleOf(other);
    if (current === role) return { role };
    if (role !== "host") teamHost(other);
    const max = control.settings.maxPublishers;
    if (role === "speaker" && max !== null && moderation.speakers(session.room) >= max) {
      throw AppError.conflict("stage_full", `The stage is full: at most ${max} ${max === 1 ? "speaker" : "speakers"} at once. Send someone back first.`);
    }
    const kept = moderation.setRole(control, other, role, session.peer.identity);
    // Publishing follows the role at once: a speaker sent back loses its send transport and producers.
    other.peer.updateGrants({ ...other.peer.grants, canPublish: role !== "attendee" });
    sessions.toPeer(other.peer, { t: "room.role", role, by: session.peer.name });
    log.info({ room: session.room.name, peer: other.peer.id, role, by: session.peer.identity }, "room role changed");
    // The reply says the role is saved: a restart right after it gives it back.
    await kept;
    return { role };
  });

  host("room.peer.mute", roomSchemas.mute, async ({ peerId, source, allowUnmute }, session, control) => {
    const other = target(session, peerId);
    const producers = [...other.peer.producers.values()].filter((p) => p.appData.source === source);
    await Promise.all(producers.map((p) => p.pause()));
    if (!allowUnmute) control.lockMedia(other.peer.identity, source);
    sessions.toPeer(other.peer, { t: "room.muted", source, allowUnmute, by: session.peer.name });
    moderation.schedule(session.room.name);
    return { paused: producers.length };
  });

  host("room.peer.allowUnmute", roomSchemas.allowUnmute, ({ peerId, source }, session, control) => {
    const other = target(session, peerId);
    control.unlockMedia(other.peer.identity, source);
    sessions.toPeer(other.peer, { t: "room.unmuteAllowed", source, by: session.peer.name });
    return null;
  });

  host("room.peer.stopScreen", roomSchemas.peer, ({ peerId }, session) => {
    const other = target(session, peerId);
    const screens = [...other.peer.producers.values()].filter((p) => p.appData.source === "screen" || p.appData.source === "screen-audio");
    for (const producer of screens) producer.close();
    if (screens.length > 0) sessions.toPeer(other.peer, { t: "room.screenStopped", by: session.peer.name });
    return { closed: screens.length };
  });

  host("room.peer.remove", roomSchemas.remove, async ({ peerId, ban }, session, control) => {
    const other = target(session, peerId);
    if (other === session) throw AppError.badRequest("self", "Leave the room instead of removing yourself");
    teamHost(other);
    const revoked = moderation.revokeRole(control, other);
    sessions.toPeer(other.peer, { t: "room.removed", ban, by: session.peer.name });
    if (ban) {
      control.ban(other.peer.identity);
      await moderation.directory?.ban(session.room.name, other.peer.identity, session.peer.identity).catch((err: unknown) => {
        log.error({ err, room: session.room.name }, "keeping a room ban failed");
      });
    }
    log.info({ room: session.room.name, peer: other.peer.id, identity: other.peer.identity, ban, by: session.peer.identity }, "peer removed from room");
    other.peer.close();
    await revoked;
    return null;
  });

  host("room.lock", roomSchemas.lock, ({ locked }, _session, control) => {
    control.setLocked(locked);
    return { locked };
  });

  host("room.lobby.admit", roomSchemas.admit, ({ lobbyId }, _session, control) => ({
    admitted: control.admitFromLobby(lobbyId).map((entry) => entry.id),
  }));

  host("room.lobby.deny", roomSchemas.deny, ({ lobbyId }, _session, control) => {
    control.denyFromLobby(lobbyId);
    return null;
  });

  host("room.end", roomSchemas.empty, async (_, session, control) => {
    const { room } = session;
    const frame = { t: "room.ended", by: session.peer.name };
    const { waiting, forgotten } = moderation.endRoom(control);
    moderation.notifyLobby(waiting, frame);
    sessions.broadcast(room, frame);
    log.info({ room: room.name, by: session.peer.identity }, "room ended for everyone");
    room.close();
    await forgotten;
    return null;
  });
}

/** What a member sees of the room now: the flags, the stage and the audience count; hosts also get the lobby. */
export function roomSnapshot(moderation: RoomModeration, session: MediaSession, control: RoomControl) {
  return {
    state: moderation.roster.snapshot(session.room, control),
    lobby: moderation.roleOf(session) === "host" ? moderation.lobbyPush(control) : null,
  };
}

/** The connection's user as a policy actor; the room role itself comes from the join token. */
function actorOf(connection: RealtimeConnection): Actor {
  const user = connection.user;
  if (!user) return ANONYMOUS;
  return actorFor(user.id, user.role, user.sessionId ? { kind: "session", sessionId: user.sessionId } : { kind: "access_token" });
}
