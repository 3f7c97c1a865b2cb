/**
 * The moderation state of one live room, apart from its media: who is host, speaker or
 * attendee; the lobby where people wait before the host opens the room, while it is locked,
 * or when the session makes everyone knock; raised hands; media a host muted and did not
 * allow back; bans; whether the session was ended. It is keyed by identity (the user), not
 * by peer, so a role a host gave survives a reconnect. It knows no wire protocol and no
 * mediasoup: signaling asks it to decide and tells it what happened. Roles a host gave that
 * raise a person above their join token's are also kept by the room directory, and a control
 * made after a restart starts from them (`kept`).
 */
import { randomUUID } from "node:crypto";
import type { RoomRole } from "../server/accounts/policy.ts";
import { AppError } from "../server/errors.ts";
import { TypedEmitter } from "./emitter.ts";

export type { RoomRole };

/** Who enters without knocking once the room is open (`open`: no lobby at all). */
export type LobbyMode = "open" | "ticket_holders" | "knock";

/** A room's limits and lobby, as the session that owns it configures them. */
export type RoomSettings = {
  lobbyMode: LobbyMode;
  /** Most people in the room (hosts and hidden peers not counted); null for no limit. */
  maxPeers: number | null;
  /** Most people on stage (publishing) at once, hosts not counted; null for no limit. */
  maxPublishers: number | null;
};

/** What the server knows about rooms that belong to event sessions (server/rooms/). */
export interface RoomDirectory {
  /** The settings of `room`, or null when it is not a session's room (then it is open, no limits). */
  settings(room: string): Promise<RoomSettings | null>;
  /** Keeps a ban beyond this process, so that no new join token is minted for the person. */
  ban(room: string, identity: string, bannedBy: string): Promise<void>;
  /** Notes that a person entered the room (past the lobby; not on a reconnect of the same peer). */
  attended(room: string, identity: string): Promise<void>;
  /** The roles hosts gave in `room` above people's join tokens, by identity, as kept so far. */
  grants(room: string): Promise<Map<string, RaisedRole>>;
  /** Keeps the role a host gave `identity` beyond this process. */
  grant(room: string, identity: string, role: RaisedRole, grantedBy: string): Promise<void>;
  /** Forgets the role a host gave `identity` (sent back, removed from the room). */
  revokeGrant(room: string, identity: string): Promise<void>;
  /** Forgets every role hosts gave in `room` (a host ended it). */
  forgetGrants(room: string): Promise<void>;
  /**
   * Whether the person is barred from every room (a banned account), which a join token
   * minted before the ban does not know; absent: no one is.
   */
  barred?(identity: string): Promise<boolean>;
}

/** A role a host can raise someone to; an attendee role is never kept, it is the floor. */
export type RaisedRole = Exclude<RoomRole, "attendee">;

const RANK: Record<RoomRole, number> = { attendee: 0, speaker: 1, host: 2 };

/** The role to keep when a host sets `role` for someone whose join token says `tokenRole`: only a raise is kept. */
export function raisedRole(role: RoomRole, tokenRole: RoomRole): RaisedRole | null {
  return role !== "attendee" && RANK[role] > RANK[tokenRole] ? role : null;
}

export const OPEN_ROOM: RoomSettings = { lobbyMode: "open", maxPeers: null, maxPublishers: null };

/** Someone waiting in the lobby, on a connection that is still open. */
export type LobbyEntry = {
  id: string;
  identity: string;
  name: string;
  role: RoomRole;
  reason: LobbyReason;
  since: number;
};
export type LobbyReason = "not_open" | "locked" | "knock";

/** What a join should become. */
export type Admission = { kind: "enter" } | { kind: "lobby"; reason: LobbyReason };

/** The facts about a joining person that admission needs. */
export type Joiner = { identity: string; role: RoomRole; hidden: boolean };

export type MutableSource = "microphone" | "camera";

export type RoomControlEvents = {
  /** Something others should see changed (roles, hands, lock, lobby). */
  changed: [];
  /** These lobby entries may come in now. */
  admitted: [LobbyEntry[]];
  denied: [LobbyEntry];
};

export class RoomControl extends TypedEmitter<RoomControlEvents> {
  readonly name: string;
  readonly settings: RoomSettings;
  // Whether a host has opened the room (rooms with no lobby are open from the start).
  #opened: boolean;
  // Set by a host: nobody new enters without being admitted.
  #locked = false;
  // Set when a host ended the session for everyone; a host joining opens it again.
  #ended = false;
  // Roles hosts gave in this process, by identity; they win over the join token's role (but a team host stays host).
  readonly #roles = new Map<string, RoomRole>();
  // Roles hosts gave before a restart, kept by the directory; they only ever raise the join token's role.
  readonly #kept: Map<string, RaisedRole>;
  // Raised hands: identity → order of raising.
  readonly #hands = new Map<string, number>();
  #handCounter = 0;
  // Lobby entries by id.
  readonly #lobby = new Map<string, LobbyEntry>();
  // Identities a host let in from the lobby; they pass until they leave the room.
  readonly #admitted = new Set<string>();
  // Media a host muted without allowing the person to turn it back on, by identity.
  readonly #muteLocks = new Map<string, Set<MutableSource>>();
  // Identities removed with a ban.
  readonly #bans = new Set<string>();

  constructor(name: string, settings: RoomSettings, kept: ReadonlyMap<string, RaisedRole> = new Map()) {
    super();
    this.name = name;
    this.settings = settings;
    this.#kept = new Map(kept);
    this.#opened = settings.lobbyMode === "open";
  }

  get opened(): boolean {
    return this.#opened;
  }
  get locked(): boolean {
    return this.#locked;
  }
  get ended(): boolean {
    return this.#ended;
  }
  get lobby(): readonly LobbyEntry[] {
    return [...this.#lobby.values()];
  }

  /**
   * The role of `identity`: a team host (token role host) is always host; else what a host
   * gave in this process, else the higher of a kept grant and what its token says.
   */
  roleOf(identity: string, tokenRole: RoomRole): RoomRole {
    if (tokenRole === "host") return "host";
    const given = this.#roles.get(identity);
    if (given) return given;
    const kept = this.#kept.get(identity);
    return kept && RANK[kept] > RANK[tokenRole] ? kept : tokenRole;
  }

  /**
   * Decides whether a person (not yet in the room) enters or waits. `peers` counts who is in
   * the room now (hosts and hidden peers excluded). Throws for who may not come in at all.
   */
  admit(joiner: Joiner, peers: number): Admission {
    if (joiner.hidden) return { kind: "enter" };
    if (this.#bans.has(joiner.identity)) throw AppError.forbidden("banned_from_room", "A host removed you from this room");
    if (joiner.role === "host") {
      this.#ended = false;
      if (!this.#opened) {
        this.#opened = true;
        queueMicrotask(() => this.#reconsiderLobby());
      }
      return { kind: "enter" };
    }
    if (this.#ended) throw AppError.conflict("room_ended", "The host ended this session");
    const max = this.settings.maxPeers;
    if (max !== null && peers >= max) {
      throw AppError.conflict("room_full", `This room is full: it takes ${max} ${max === 1 ? "person" : "people"}. Try again when someone leaves.`);
    }
    if (this.#admitted.has(joiner.identity)) return { kind: "enter" };
    const reason = this.#waitReason(joiner.role);
    return reason ? { kind: "lobby", reason } : { kind: "enter" };
  }

  #waitReason(role: RoomRole): LobbyReason | null {
    if (!this.#opened) return "not_open";
    if (this.#locked) return "locked";
    if (this.settings.lobbyMode === "knock" && role === "attendee") return "knock";
    return null;
  }

  /** Puts a person in the lobby; the returned entry's id names it to hosts. */
  wait(input: { identity: string; name: string; role: RoomRole; reason: LobbyReason }): LobbyEntry {
    for (const entry of this.#lobby.values()) if (entry.identity === input.identity) this.#lobby.delete(entry.id);
    const entry: LobbyEntry = { id: randomUUID(), ...input, since: Date.now() };
    this.#lobby.set(entry.id, entry);
    this.safeEmit("changed");
    return entry;
  }

  /** The lobby entry's connection went away. */
  leaveLobby(id: string): void {
    if (this.#lobby.delete(id)) this.safeEmit("changed");
  }

  /** A host lets one person in, or everyone waiting when `id` is undefined. */
  admitFromLobby(id: string | undefined): LobbyEntry[] {
    const entries = id === undefined ? [...this.#lobby.values()] : [this.#lobbyEntry(id)];
    this.#letIn(entries);
    return entries;
  }

  denyFromLobby(id: string): LobbyEntry {
    const entry = this.#lobbyEntry(id);
    this.#lobby.delete(id);
    this.safeEmit("denied", entry);
    this.safeEmit("changed");
    return entry;
  }

  #lobbyEntry(id: string): LobbyEntry {
    const entry = this.#lobby.get(id);
    if (!entry) throw AppError.notFound("Nobody with that id is waiting in the lobby");
    return entry;
  }

  #letIn(entries: LobbyEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      this.#lobby.delete(entry.id);
      this.#admitted.add(entry.identity);
    }
    this.safeEmit("admitted", entries);
    this.safeEmit("changed");
  }

  /** After the room opened or was unlocked: whoever needs no host's decision now comes in. */
  #reconsiderLobby(): void {
    this.#letIn([...this.#lobby.values()].filter((entry) => this.#waitReason(entry.role) === null));
  }

  setLocked(locked: boolean): void {
    if (this.#locked === locked) return;
    this.#locked = locked;
    this.safeEmit("changed");
    if (!locked) this.#reconsiderLobby();
  }

  /** A person left the room: admission from the lobby and raised hands do not outlive the visit. */
  left(identity: string): void {
    this.#admitted.delete(identity);
    if (this.#hands.delete(identity)) this.safeEmit("changed");
  }

  setRole(identity: string, role: RoomRole): void {
    this.#roles.set(identity, role);
    this.#kept.delete(identity);
    this.#hands.delete(identity);
    this.safeEmit("changed");
  }

  /** Takes back whatever role hosts gave `identity` (it was removed from the room): its token decides again. */
  revokeRole(identity: string): void {
    const had = this.#roles.delete(identity);
    if (this.#kept.delete(identity) || had) this.safeEmit("changed");
  }

  raiseHand(identity: string): void {
    if (this.#hands.has(identity)) return;
    this.#hands.set(identity, ++this.#handCounter);
    this.safeEmit("changed");
  }

  lowerHand(identity: string): void {
    if (this.#hands.delete(identity)) this.safeEmit("changed");
  }

  /** Identities with a raised hand, first raised first. */
  get hands(): string[] {
    return [...this.#hands.entries()].sort((a, b) => a[1] - b[1]).map(([identity]) => identity);
  }

  lockMedia(identity: string, source: MutableSource): void {
    let locks = this.#muteLocks.get(identity);
    if (!locks) this.#muteLocks.set(identity, (locks = new Set()));
    locks.add(source);
    this.safeEmit("changed");
  }

  unlockMedia(identity: string, source: MutableSource): void {
    if (this.#muteLocks.get(identity)?.delete(source)) this.safeEmit("changed");
  }

  /** Whether a host muted this source and did not allow the person to turn it back on. */
  mediaLocked(identity: string, source: string): boolean {
    return this.#muteLocks.get(identity)?.has(source as MutableSource) ?? false;
  }

  lockedMedia(identity: string): MutableSource[] {
    return [...(this.#muteLocks.get(identity) ?? [])];
  }

  ban(identity: string): void {
    this.#bans.add(identity);
    this.#admitted.delete(identity);
    for (const entry of this.#lobby.values()) if (entry.identity === identity) this.#lobby.delete(entry.id);
  }

  /** Ends the session: nobody but a host enters until a host comes back, and roles hosts gave end with it. */
  end(): LobbyEntry[] {
    this.#ended = true;
    this.#roles.clear();
    this.#kept.clear();
    this.#opened = this.settings.lobbyMode === "open";
    this.#locked = false;
    this.#hands.clear();
    this.#admitted.clear();
    const waiting = [...this.#lobby.values()];
    this.#lobby.clear();
    return waiting;
  }

  /** Whether nothing here needs keeping once the media room is gone. */
  get disposable(): boolean {
    return this.#lobby.size === 0 && !this.#ended && this.#bans.size === 0 && this.#roles.size === 0 && this.#kept.size === 0 && !this.#locked;
  }
}
