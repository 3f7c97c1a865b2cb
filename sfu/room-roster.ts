/**
 * Who is in a room, as others see it, at the scale of a session with thousands of
 * attendees. Everyone gets the room's flags, the stage (hosts, speakers and anyone with a
 * raised hand) and an audience count: first as a `room.state` snapshot, then as
 * `room.delta` frames that carry only what changed (stage people added, changed or gone,
 * the flags and the count). Deltas are coalesced per room, at most one per
 * DELTA_INTERVAL_MS, serialized once and sent to every peer of the room. The audience
 * itself is never pushed: hosts page through it and search it with `room.participants`.
 */
import type { MediaSession, MediaSessions, PushFrame } from "./media-sessions.ts";
import type { Peer } from "./Peer.ts";
import type { Room } from "./Room.ts";
import type { RoomControl, RoomRole } from "./RoomControl.ts";
import type { Sfu } from "./Sfu.ts";

/** The shortest time between two deltas of one room. */
export const DELTA_INTERVAL_MS = 200;
/** The most participants one `room.participants` page holds. */
export const MAX_PAGE = 100;

/** A participant as others see it. */
export type ParticipantView = {
  peerId: string;
  identity: string;
  name: string;
  role: RoomRole;
  hand: number | null;
  microphone: "on" | "off" | "none";
  camera: "on" | "off" | "none";
  screen: boolean;
  /** Media a host muted and did not allow back on. */
  locked: string[];
};

/** The room's flags, as every delta carries them. */
export type RoomFlags = {
  opened: boolean;
  locked: boolean;
  lobbyMode: string;
  maxPeers: number | null;
  maxPublishers: number | null;
  lobbyCount: number;
};

/** What was last sent for one room: a snapshot at `version` is exactly this. */
type Sent = {
  version: number;
  flags: RoomFlags;
  audience: number;
  // Stage views by peer id, with their serialized form to compare against.
  stage: Map<string, { view: ParticipantView; json: string }>;
  lobby: string;
  // When the last delta went out (performance.now()), and the pending one's timer.
  flushedAt: number;
  timer: NodeJS.Timeout | undefined;
};

type RosterDeps = {
  sfu: Sfu;
  sessions: MediaSessions;
  roleOf: (session: MediaSession) => RoomRole;
  controlOf: (room: string) => RoomControl | undefined;
  lobbyPush: (control: RoomControl) => PushFrame;
};

export class RoomRoster {
  readonly #deps: RosterDeps;
  // What each room's peers were last told, by room name.
  readonly #sent = new Map<string, Sent>();

  constructor(deps: RosterDeps) {
    this.#deps = deps;
  }

  /** Forgets a closed room (its pending delta too). */
  forget(room: string): void {
    clearTimeout(this.#sent.get(room)?.timer);
    this.#sent.delete(room);
  }

  /** Something others see changed: a delta goes out now, or when the room's interval allows. */
  changed(room: string): void {
    const sent = this.#entry(room);
    if (sent.timer) return;
    const wait = Math.max(0, sent.flushedAt + DELTA_INTERVAL_MS - performance.now());
    sent.timer = setTimeout(() => {
      sent.timer = undefined;
      this.#flush(room, sent);
    }, wait);
  }

  /** The room as of the last delta (at most one interval old); the next delta applies to it. */
  snapshot(room: Room, control: RoomControl): PushFrame {
    const sent = this.#entry(room.name);
    if (sent.version === 0) this.#flush(room.name, sent, control);
    return { t: "room.state", version: sent.version, ...sent.flags, audience: sent.audience, stage: [...sent.stage.values()].map((s) => s.view) };
  }

  /** Everyone visible in the room whose name contains `query`, by name, a page after `cursor`. */
  participants(room: Room, input: { query?: string; cursor?: string; limit: number }): { participants: ParticipantView[]; next: string | null; total: number } {
    const control = this.#deps.controlOf(room.name);
    const query = input.query?.trim().toLocaleLowerCase() ?? "";
    const after = input.cursor ? decodeCursor(input.cursor) : null;
    const matching: { key: [string, string]; session: MediaSession }[] = [];
    for (const peer of room.peers.values()) {
      const session = this.#visible(peer);
      if (!session) continue;
      const name = peer.name.toLocaleLowerCase();
      if (query && !name.includes(query)) continue;
      matching.push({ key: [name, peer.id], session });
    }
    matching.sort((a, b) => compareKeys(a.key, b.key));
    const start = after ? matching.findIndex((m) => compareKeys(m.key, after) > 0) : 0;
    const page = start < 0 ? [] : matching.slice(start, start + input.limit);
    const hands = control?.hands ?? [];
    const last = page.at(-1);
    return {
      participants: page.map((m) => this.#view(m.session, control, hands)),
      next: last && start + page.length < matching.length ? encodeCursor(last.key) : null,
      total: matching.length,
    };
  }

  #entry(room: string): Sent {
    let sent = this.#sent.get(room);
    if (!sent) {
      const flags = { opened: false, locked: false, lobbyMode: "open", maxPeers: null, maxPublishers: null, lobbyCount: 0 };
      sent = { version: 0, flags, audience: 0, stage: new Map(), lobby: "", flushedAt: -Infinity, timer: undefined };
      this.#sent.set(room, sent);
    }
    return sent;
  }

  #visible(peer: Peer): MediaSession | undefined {
    if (peer.grants.hidden) return undefined;
    return this.#deps.sessions.byPeer.get(peer);
  }

  /** Compares the room with what was sent; sends what changed to everyone (and the lobby to hosts). */
  #flush(name: string, sent: Sent, known?: RoomControl): void {
    const room = this.#deps.sfu.rooms.get(name);
    const control = known ?? this.#deps.controlOf(name);
    if (!room || room.closed || !control) return;
    sent.flushedAt = performance.now();
    const hands = control.hands;
    const handSet = new Set(hands);
    let audience = 0;
    const upsert: ParticipantView[] = [];
    const stage = new Map<string, { view: ParticipantView; json: string }>();
    for (const peer of room.peers.values()) {
      const session = this.#visible(peer);
      if (!session) continue;
      const role = this.#deps.roleOf(session);
      if (role === "attendee") audience += 1;
      if (role === "attendee" && !handSet.has(peer.identity)) continue;
      const view = this.#view(session, control, hands);
      const json = JSON.stringify(view);
      stage.set(peer.id, { view, json });
      if (sent.stage.get(peer.id)?.json !== json) upsert.push(view);
    }
    const remove = [...sent.stage.keys()].filter((peerId) => !stage.has(peerId));
    const flags: RoomFlags = {
      opened: control.opened,
      locked: control.locked,
      lobbyMode: control.settings.lobbyMode,
      maxPeers: control.settings.maxPeers,
      maxPublishers: control.settings.maxPublishers,
      lobbyCount: control.lobby.length,
    };
    const flagsChanged = JSON.stringify(flags) !== JSON.stringify(sent.flags);
    const first = sent.version === 0;
    if (first || upsert.length > 0 || remove.length > 0 || flagsChanged || audience !== sent.audience) {
      const from = sent.version;
      Object.assign(sent, { version: from + 1, flags, audience, stage });
      if (!first) this.#deps.sessions.broadcast(room, { t: "room.delta", version: sent.version, from, ...flags, audience, upsert, remove });
    }
    const lobby = this.#deps.lobbyPush(control);
    const lobbyJson = JSON.stringify(lobby);
    if (lobbyJson !== sent.lobby) {
      sent.lobby = lobbyJson;
      this.#deps.sessions.broadcast(room, lobby, (peer) => {
        const session = this.#deps.sessions.byPeer.get(peer);
        return session !== undefined && this.#deps.roleOf(session) === "host";
      });
    }
  }

  #view(session: MediaSession, control: RoomControl | undefined, hands: string[]): ParticipantView {
    const { peer } = session;
    let microphone: ParticipantView["microphone"] = "none";
    let camera: ParticipantView["camera"] = "none";
    let screen = false;
    for (const producer of peer.producers.values()) {
      const source = producer.appData.source;
      if (source === "screen") screen = true;
      if (source === "microphone") microphone = microphone === "on" || !producer.paused ? "on" : "off";
      if (source === "camera") camera = camera === "on" || !producer.paused ? "on" : "off";
    }
    const hand = hands.indexOf(peer.identity);
    return {
      peerId: peer.id,
      identity: peer.identity,
      name: peer.name,
      role: this.#deps.roleOf(session),
      hand: hand < 0 ? null : hand + 1,
      microphone,
      camera,
      screen,
      locked: control?.lockedMedia(peer.identity) ?? [],
    };
  }
}

function compareKeys(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function encodeCursor(key: [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** An opaque cursor back into its key; a malformed one starts from the beginning. */
function decodeCursor(cursor: string): [string, string] | null {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    return Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === "string") ? (key as [string, string]) : null;
  } catch {
    return null;
  }
}
