/**
 * Room moderation beside the media: one RoomControl per room name (made on first join with
 * the settings the room directory gives), the gate a join passes (enter or wait in the
 * lobby), and the lobby's connections. Who is there, in which role, with which hand raised
 * and which media on reaches the room through its roster (room-roster.ts). Roles hosts give
 * that raise someone above their join token are written through the directory, one room's
 * writes in the order they were decided, so that a control made after a restart starts from
 * them; the room's first join reads them with its settings, later joins read nothing.
 */
import type { Logger } from "../server/log.ts";
import type { RealtimeConnection } from "../server/realtime/connection.ts";
import type { MediaSession, MediaSessions, PushFrame } from "./media-sessions.ts";
import type { Room } from "./Room.ts";
import { RoomRoster } from "./room-roster.ts";
import { type LobbyEntry, type LobbyReason, OPEN_ROOM, raisedRole, RoomControl, type RoomDirectory, type RoomRole } from "./RoomControl.ts";
import type { Sfu } from "./Sfu.ts";

export type GateResult = { kind: "enter"; role: RoomRole; control: RoomControl } | { kind: "lobby"; entry: LobbyEntry; hosts: string[] };

export class RoomModeration {
  readonly #sfu: Sfu;
  readonly #sessions: MediaSessions;
  readonly #directory: RoomDirectory | undefined;
  readonly #log: Logger;
  // Controls by room name; kept past the media room while they hold something (bans, an ended session).
  readonly #controls = new Map<string, RoomControl>();
  // Controls being made (their settings are loading), so that two first joins make one.
  readonly #loading = new Map<string, Promise<RoomControl>>();
  // Lobby connections by entry id, and the entry of each waiting connection.
  readonly #lobbyConnections = new Map<string, RealtimeConnection>();
  readonly #lobbyOf = new Map<string, { control: RoomControl; entryId: string }>();
  // The last pending grant write of each room; the next one waits for it, so the database ends as the control did.
  readonly #grantWrites = new Map<string, Promise<void>>();
  /** Who is in each room as others see it, and the deltas that keep them up to date. */
  readonly roster: RoomRoster;

  constructor(options: { sfu: Sfu; sessions: MediaSessions; directory?: RoomDirectory; log: Logger }) {
    this.#sfu = options.sfu;
    this.#sessions = options.sessions;
    this.#directory = options.directory;
    this.#log = options.log;
    this.roster = new RoomRoster({
      sfu: options.sfu,
      sessions: options.sessions,
      roleOf: (session) => this.roleOf(session),
      controlOf: (room) => this.#controls.get(room),
      lobbyPush: (control) => this.lobbyPush(control),
    });
    options.sfu.on("roomcreated", (room) => {
      const changed = () => this.schedule(room.name);
      room.on("peerjoined", changed);
      room.on("peerleft", (peer) => {
        this.#controls.get(room.name)?.left(peer.identity);
        changed();
      });
      room.on("newproducer", changed);
      room.on("producerclosed", changed);
      room.on("close", () => {
        this.roster.forget(room.name);
        const control = this.#controls.get(room.name);
        if (control?.disposable) this.#controls.delete(room.name);
      });
    });
  }

  get directory(): RoomDirectory | undefined {
    return this.#directory;
  }

  controlOf(room: string): RoomControl | undefined {
    return this.#controls.get(room);
  }

  /** The control of `room`, made with its settings on first use. */
  async control(room: string): Promise<RoomControl> {
    const known = this.#controls.get(room);
    if (known) return known;
    let loading = this.#loading.get(room);
    if (!loading) {
      loading = (async () => {
        const [settings, kept] = await Promise.all([this.#directory?.settings(room), this.#directory?.grants(room)]);
        const control = this.#controls.get(room) ?? this.#watch(new RoomControl(room, settings ?? OPEN_ROOM, kept));
        this.#controls.set(room, control);
        return control;
      })().finally(() => this.#loading.delete(room));
      this.#loading.set(room, loading);
    }
    return loading;
  }

  #watch(control: RoomControl): RoomControl {
    control.setListenerErrorHandler((event, err) => this.#log.error({ err, event, room: control.name }, "room control listener failed"));
    control.on("changed", () => this.schedule(control.name));
    control.on("admitted", (entries) => {
      for (const entry of entries) this.#lobbyConnections.get(entry.id)?.send({ t: "room.admitted", lobbyId: entry.id });
    });
    control.on("denied", (entry) => this.#lobbyConnections.get(entry.id)?.send({ t: "room.denied", lobbyId: entry.id }));
    return control;
  }

  /**
   * A host sets the role of `target` in the room: it applies at once, and is kept beyond this
   * process when it raises the person above their join token (otherwise any kept one is
   * forgotten). Resolves once the write is done; a failed write is logged, the role stays.
   */
  setRole(control: RoomControl, target: MediaSession, role: RoomRole, by: string): Promise<void> {
    const { identity } = target.peer;
    control.setRole(identity, role);
    const kept = raisedRole(role, target.tokenRole);
    return this.#writeGrant(control.name, (directory) =>
      kept ? directory.grant(control.name, identity, kept, by) : directory.revokeGrant(control.name, identity),
    );
  }

  /** `target` is being removed from the room: a role a host raised it to does not come back with it. */
  revokeRole(control: RoomControl, target: MediaSession): Promise<void> {
    const { identity } = target.peer;
    if (!raisedRole(this.roleOf(target), target.tokenRole)) return Promise.resolve();
    control.revokeRole(identity);
    return this.#writeGrant(control.name, (directory) => directory.revokeGrant(control.name, identity));
  }

  /** A host ended the room: every role hosts gave in it ends too (a restart, by contrast, keeps them). */
  endRoom(control: RoomControl): { waiting: LobbyEntry[]; forgotten: Promise<void> } {
    const waiting = control.end();
    return { waiting, forgotten: this.#writeGrant(control.name, (directory) => directory.forgetGrants(control.name)) };
  }

  #writeGrant(room: string, write: (directory: RoomDirectory) => Promise<void>): Promise<void> {
    const directory = this.#directory;
    if (!directory) return Promise.resolve();
    const next = (this.#grantWrites.get(room) ?? Promise.resolve())
      .then(() => write(directory))
      .catch((err: unknown) => this.#log.error({ err, room }, "keeping a room role failed"));
    this.#grantWrites.set(room, next);
    void next.then(() => {
      if (this.#grantWrites.get(room) === next) this.#grantWrites.delete(room);
    });
    return next;
  }

  /** The role a session has now: what a host gave (in this process, or kept from before a restart), else its token's. */
  roleOf(session: MediaSession): RoomRole {
    return this.#controls.get(session.room.name)?.roleOf(session.peer.identity, session.tokenRole) ?? session.tokenRole;
  }

  /** People counted against the room's size: not hosts, not hidden. */
  #headcount(room: Room | undefined): number {
    if (!room) return 0;
    let count = 0;
    for (const peer of room.peers.values()) {
      const session = this.#sessions.byPeer.get(peer);
      if (!peer.grants.hidden && session && this.roleOf(session) !== "host") count += 1;
    }
    return count;
  }

  /** Peers on stage (publishing allowed), hosts not counted. */
  speakers(room: Room): number {
    let count = 0;
    for (const peer of room.peers.values()) {
      const session = this.#sessions.byPeer.get(peer);
      if (!peer.grants.hidden && session && this.roleOf(session) === "speaker") count += 1;
    }
    return count;
  }

  hostNames(room: Room | undefined): string[] {
    if (!room) return [];
    return [...room.peers.values()].filter((p) => {
      const session = this.#sessions.byPeer.get(p);
      return !p.grants.hidden && session !== undefined && this.roleOf(session) === "host";
    }).map((p) => p.name);
  }

  /**
   * Decides a `media.join`: a person already in the room (a reconnect) comes back in; anyone
   * else passes the control's admission, or waits in the lobby on this connection.
   */
  async gate(input: { room: string; identity: string; name: string; tokenRole: RoomRole; hidden: boolean; connection: RealtimeConnection }): Promise<GateResult> {
    const control = await this.control(input.room);
    const role = control.roleOf(input.identity, input.tokenRole);
    const room = this.#sfu.rooms.get(input.room);
    const present = room?.peerByIdentity(input.identity);
    this.leaveLobby(input.connection.id);
    if (present && !present.closed) return { kind: "enter", role, control };
    const admission = control.admit({ identity: input.identity, role, hidden: input.hidden }, this.#headcount(room));
    if (admission.kind === "enter") return { kind: "enter", role, control };
    return { kind: "lobby", entry: this.#wait(control, input, role, admission.reason), hosts: this.hostNames(room) };
  }

  #wait(control: RoomControl, input: { identity: string; name: string; connection: RealtimeConnection }, role: RoomRole, reason: LobbyReason): LobbyEntry {
    const entry = control.wait({ identity: input.identity, name: input.name, role, reason });
    const { connection } = input;
    this.#lobbyConnections.set(entry.id, connection);
    this.#lobbyOf.set(connection.id, { control, entryId: entry.id });
    void connection.closed.then(() => this.leaveLobby(connection.id));
    return entry;
  }

  /** The connection no longer waits (it left, joined, or was let in). */
  leaveLobby(connectionId: string): void {
    const waiting = this.#lobbyOf.get(connectionId);
    if (!waiting) return;
    this.#lobbyOf.delete(connectionId);
    this.#lobbyConnections.delete(waiting.entryId);
    waiting.control.leaveLobby(waiting.entryId);
  }

  /** Tells everyone waiting in the room's lobby (and then forgets them). */
  notifyLobby(entries: LobbyEntry[], frame: PushFrame): void {
    for (const entry of entries) {
      const connection = this.#lobbyConnections.get(entry.id);
      connection?.send(frame);
      if (connection) this.leaveLobby(connection.id);
    }
  }

  /** Others should see a change in the room: it goes out in the room's next delta. */
  schedule(room: string): void {
    this.roster.changed(room);
  }

  lobbyPush(control: RoomControl): PushFrame {
    return { t: "room.lobby", entries: control.lobby.map(({ id, name, role, reason, since }) => ({ id, name, role, reason, since })) };
  }
}
