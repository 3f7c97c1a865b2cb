/**
 * The live room's server side over the real server: who gets which join token for a
 * session, the lobby (not open yet, knock, locked; admit one, all, deny), hands and the
 * stage, host muting that holds, stopping a screen share, removal with a ban, host rights
 * that survive a reconnect, the room's limits, and ending the session for everyone.
 * Producers are made on send transports that never connect: the moderation acts on them
 * the same, and no media is needed to see it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyDeltas, type RoomFixture as Fixture, RoomFixture, type RoomPerson, type RoomSnapshot } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

let server: TestServer;
let fixture: Fixture;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_SFU_RECONNECT_GRACE_MS: "5000" } });
  fixture = await RoomFixture.create(server);
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await fixture?.close();
  await server?.stop();
});

const OPUS = { codecs: [{ mimeType: "audio/opus", payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 11111 }], rtcp: { cname: "t" } };
const VP8 = { codecs: [{ mimeType: "video/VP8", payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 22222 }], rtcp: { cname: "t" } };

/** A person on a socket in the room (or in its lobby). */
class Member {
  readonly socket: TestSocket;
  readonly token: string;
  readonly join: Frame;
  constructor(socket: TestSocket, token: string, join: Frame) {
    this.socket = socket;
    this.token = token;
    this.join = join;
  }
  get peerId(): string {
    return (this.join.data as { peerId: string }).peerId;
  }
  request(t: string, payload: Record<string, unknown> = {}) {
    return this.socket.request(t, payload);
  }
  async ok(t: string, payload: Record<string, unknown> = {}): Promise<any> {
    const reply = await this.socket.request(t, payload);
    if (reply.t !== "ok") throw new Error(`${t}: ${JSON.stringify(reply)}`);
    return reply.data;
  }
  /** The room as this member sees it now: its join's snapshot and the deltas since. */
  get room(): RoomSnapshot {
    return applyDeltas((this.join.data as { room: { state: RoomSnapshot } }).room.state, this.socket.frames);
  }
  /** Waits until the room as this member sees it satisfies `match`. */
  state(match: (state: RoomSnapshot) => boolean): Promise<RoomSnapshot> {
    if (match(this.room)) return Promise.resolve(this.room);
    return this.socket.next((f) => f.t === "room.delta" && match(this.room), 5_000).then(() => this.room, () => {
      throw new Error(`the room never matched; latest: ${JSON.stringify(this.room)}`);
    });
  }
  async produce(source: string, rtpParameters: unknown): Promise<string> {
    const transport = await this.ok("media.transport.create", { direction: "send" });
    const kind = source === "microphone" ? "audio" : "video";
    return (await this.ok("media.produce", { transportId: transport.transportId, kind, rtpParameters, source })).producerId;
  }
}

async function tokenFor(person: RoomPerson, session: string): Promise<string> {
  const { status, body } = await fixture.joinToken(server, person, session);
  if (status !== 200) throw new Error(`join token for ${person.name}: ${status} ${JSON.stringify(body)}`);
  return body.token;
}

async function enter(person: RoomPerson | string, session: string): Promise<Member> {
  const token = typeof person === "string" ? person : await tokenFor(person, session);
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  return new Member(socket, token, await socket.request("media.join", { token }));
}

const inLobby = (m: Member) => (m.join.data as any)?.lobby as { id: string; reason: string; hosts: string[] } | undefined;
/** Someone on the stage (hosts, speakers, raised hands); attendees are only counted. */
const participant = (state: RoomSnapshot, peerId: string) => state.stage.find((p) => p.peerId === peerId);

describe("room join tokens", () => {
  it("gives hosts, speakers and ticket holders their roles and refuses everyone else with a way to get a ticket", async () => {
    const session = await fixture.session();
    const other = await fixture.session({ title: "Workshop" });
    const owner = await fixture.person("Olga Owner");
    await fixture.teamMember(owner, "owner");
    const staff = await fixture.person("Sam Staff");
    await fixture.teamMember(staff, "check_in_staff");
    const speaker = await fixture.person("Spike Speaker");
    await fixture.speaker(speaker, session);
    const holder = await fixture.person("Tia Ticket");
    await fixture.ticket(holder);
    const dayPass = await fixture.person("Dan Daypass");
    await fixture.ticket(dayPass, { onlySessions: [other] });
    const cancelled = await fixture.person("Cid Cancelled");
    await fixture.ticket(cancelled, { status: "cancelled" });
    const stranger = await fixture.person("Stan Stranger");

    expect((await fixture.joinToken(server, owner, session)).body).toMatchObject({ role: "host", session: { id: session }, event: { slug: fixture.slug } });
    expect((await fixture.joinToken(server, speaker, session)).body.role).toBe("speaker");
    expect((await fixture.joinToken(server, holder, session)).body.role).toBe("attendee");
    expect((await fixture.joinToken(server, dayPass, other)).body.role).toBe("attendee");
    for (const refused of [stranger, staff, cancelled, dayPass]) {
      const { status, body } = await fixture.joinToken(server, refused, session);
      expect(status, refused.name).toBe(403);
      expect(body.error).toMatchObject({ code: "ticket_required", ticketUrl: `/events/${fixture.slug}` });
      expect(body.error.message).toContain("Opening keynote");
    }
    expect((await fixture.joinToken(server, holder, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const anonymous = await fetch(`${server.url}/api/rooms/${session}/join-token`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(anonymous.status).toBe(401);
  });
});

describe("the lobby", () => {
  it("holds ticket holders until a host opens the room, then lets them in by themselves", async () => {
    const session = await fixture.session();
    const host = await fixture.person("Hana Host");
    await fixture.teamMember(host, "co_host");
    const guest = await fixture.person("Gus Guest");
    await fixture.ticket(guest);

    const early = await enter(guest, session);
    expect(inLobby(early)).toMatchObject({ reason: "not_open", hosts: [] });
    expect((await early.request("room.hand.raise")).code).toBe("not_joined");

    const h = await enter(host, session);
    expect(h.join.data).toMatchObject({ role: "host" });
    const admitted = await early.socket.next((f) => f.t === "room.admitted");
    expect(admitted.lobbyId).toBe(inLobby(early)!.id);
    const again = await early.request("media.join", { token: early.token });
    expect(again.data).toMatchObject({ role: "attendee" });
    await h.state((s) => s.stage.length === 1 && s.audience === 1 && s.opened === true && s.lobbyCount === 0);
  });

  it("makes everyone knock in a knock session: the host admits one, admits all, or denies", async () => {
    const session = await fixture.session({ lobbyMode: "knock" });
    const host = await fixture.person("Kai Host");
    await fixture.teamMember(host, "moderator");
    const h = await enter(host, session);
    const people = await Promise.all(["Ann", "Ben", "Cat", "Dov"].map(async (name) => {
      const p = await fixture.person(name);
      await fixture.ticket(p);
      return p;
    }));
    const [ann, ben, cat, dov] = await Promise.all(people.map((p) => enter(p, session)));
    for (const m of [ann, ben, cat, dov]) expect(inLobby(m)).toMatchObject({ reason: "knock", hosts: ["Kai Host"] });
    const lobby = await h.socket.next((f) => f.t === "room.lobby" && (f.entries as unknown[]).length === 4);
    expect((lobby.entries as { name: string }[]).map((e) => e.name).sort()).toEqual(["Ann", "Ben", "Cat", "Dov"]);

    // Attendees do not see who waits.
    expect((await h.ok("room.state")).lobby.entries).toHaveLength(4);

    await h.ok("room.lobby.admit", { lobbyId: inLobby(ann)!.id });
    await ann.socket.next((f) => f.t === "room.admitted");
    expect((await ann.request("media.join", { token: ann.token })).data).toMatchObject({ role: "attendee" });
    expect((await ann.ok("room.state")).lobby).toBeNull();

    await h.ok("room.lobby.deny", { lobbyId: inLobby(ben)!.id });
    await ben.socket.next((f) => f.t === "room.denied");
    expect(ben.socket.frames.some((f) => f.t === "room.admitted")).toBe(false);

    const all = await h.ok("room.lobby.admit", {});
    expect(all.admitted).toHaveLength(2);
    await Promise.all([cat, dov].map((m) => m.socket.next((f) => f.t === "room.admitted")));
    // A person who closes the tab while waiting leaves the lobby.
    const eve = await fixture.person("Eve");
    await fixture.ticket(eve);
    const e = await enter(eve, session);
    await h.socket.next((f) => f.t === "room.lobby" && (f.entries as { name: string }[]).some((x) => x.name === "Eve"));
    e.socket.close();
    await h.state((s) => s.lobbyCount === 0);
  });

  it("sends newcomers to the lobby while the room is locked, and lets them in when it is unlocked", async () => {
    const session = await fixture.session();
    const host = await fixture.person("Lou Host");
    await fixture.teamMember(host, "owner");
    const guest = await fixture.person("Lee Late");
    await fixture.ticket(guest);
    const h = await enter(host, session);
    await h.ok("room.lock", { locked: true });
    await h.state((s) => s.locked === true);
    const late = await enter(guest, session);
    expect(inLobby(late)?.reason).toBe("locked");
    await h.ok("room.lock", { locked: false });
    await late.socket.next((f) => f.t === "room.admitted");
    expect((await late.request("media.join", { token: late.token })).t).toBe("ok");
  });
});

describe("moderation", () => {
  let session: string;
  let host: Member;
  let attendee: Member;
  let attendeePerson: RoomPerson;
  let watcher: Member;

  beforeAll(async () => {
    session = await fixture.session({ maxPublishers: 1 });
    const hostPerson = await fixture.person("Mia Moderator");
    await fixture.teamMember(hostPerson, "owner");
    host = await enter(hostPerson, session);
    attendeePerson = await fixture.person("Abe Attendee");
    await fixture.ticket(attendeePerson);
    attendee = await enter(attendeePerson, session);
    const watcherPerson = await fixture.person("Wes Watcher");
    await fixture.ticket(watcherPerson);
    watcher = await enter(watcherPerson, session);
  });

  it("refuses host actions to attendees", async () => {
    expect(await attendee.request("room.lock", { locked: true })).toMatchObject({ t: "error", code: "not_host" });
    expect(await attendee.request("room.peer.mute", { peerId: host.peerId, source: "microphone" })).toMatchObject({ code: "not_host" });
    expect(await attendee.request("room.end")).toMatchObject({ code: "not_host" });
    expect(await attendee.request("media.transport.create", { direction: "send" })).toMatchObject({ t: "error", code: "forbidden" });
  });

  it("queues hands, brings a hand on stage to publish, holds the stage limit, and sends them back", async () => {
    await attendee.ok("room.hand.raise");
    await watcher.ok("room.hand.raise");
    const raised = await host.state((s) => participant(s, attendee.peerId)?.hand === 1 && participant(s, watcher.peerId)?.hand === 2);
    expect(participant(raised, attendee.peerId)!.role).toBe("attendee");
    expect(raised.audience).toBe(2);

    expect(await host.ok("room.peer.setRole", { peerId: attendee.peerId, role: "speaker" })).toEqual({ role: "speaker" });
    expect(await attendee.socket.next((f) => f.t === "room.role")).toMatchObject({ role: "speaker", by: "Mia Moderator" });
    await host.state((s) => participant(s, attendee.peerId)?.role === "speaker" && participant(s, attendee.peerId)?.hand === null && participant(s, watcher.peerId)?.hand === 1);
    const producerId = await attendee.produce("microphone", OPUS);
    await watcher.socket.next((f) => f.t === "media.newProducer" && (f.producer as { id: string }).id === producerId);

    // One publisher at most in this session.
    expect(await host.request("room.peer.setRole", { peerId: watcher.peerId, role: "speaker" })).toMatchObject({ t: "error", code: "stage_full" });
    await watcher.ok("room.hand.lower");

    await host.ok("room.peer.setRole", { peerId: attendee.peerId, role: "attendee" });
    await watcher.socket.next((f) => f.t === "media.producerClosed" && f.producerId === producerId);
    expect(await attendee.request("media.transport.create", { direction: "send" })).toMatchObject({ t: "error", code: "forbidden" });
    // Back in the audience with no hand up: off the stage, counted.
    await host.state((s) => participant(s, attendee.peerId) === undefined && participant(s, watcher.peerId) === undefined && s.audience === 2);
  });

  it("mutes a speaker's microphone so that only the host can allow it back, and stops a screen share", async () => {
    await host.ok("room.peer.setRole", { peerId: attendee.peerId, role: "speaker" });
    const mic = await attendee.produce("microphone", OPUS);
    await host.state((s) => participant(s, attendee.peerId)?.microphone === "on");

    await host.ok("room.peer.mute", { peerId: attendee.peerId, source: "microphone", allowUnmute: false });
    expect(await attendee.socket.next((f) => f.t === "room.muted")).toMatchObject({ source: "microphone", allowUnmute: false });
    await host.state((s) => participant(s, attendee.peerId)?.microphone === "off" && participant(s, attendee.peerId)!.locked.includes("microphone"));
    expect(await attendee.request("media.producer.resume", { producerId: mic })).toMatchObject({ t: "error", code: "muted_by_host" });
    // A new microphone producer cannot dodge it either.
    await attendee.ok("media.producer.close", { producerId: mic });
    const transport = (await attendee.ok("media.transport.create", { direction: "send" })).transportId;
    const second = await attendee.ok("media.produce", { transportId: transport, kind: "audio", rtpParameters: OPUS, source: "microphone" });
    expect(second.paused).toBe(true);

    await host.ok("room.peer.allowUnmute", { peerId: attendee.peerId, source: "microphone" });
    await attendee.socket.next((f) => f.t === "room.unmuteAllowed");
    await attendee.ok("media.producer.resume", { producerId: second.producerId });
    await host.state((s) => participant(s, attendee.peerId)?.microphone === "on" && participant(s, attendee.peerId)?.locked.length === 0);

    const screen = await attendee.ok("media.produce", { transportId: transport, kind: "video", rtpParameters: VP8, source: "screen" });
    await host.state((s) => participant(s, attendee.peerId)?.screen === true);
    expect(await host.ok("room.peer.stopScreen", { peerId: attendee.peerId })).toEqual({ closed: 1 });
    await attendee.socket.next((f) => f.t === "room.screenStopped");
    await watcher.socket.next((f) => f.t === "media.producerClosed" && f.producerId === screen.producerId);
  });

  it("makes another participant host, who stays host across a reconnect; team hosts cannot be demoted", async () => {
    await host.ok("room.peer.setRole", { peerId: watcher.peerId, role: "host" });
    expect(await watcher.socket.next((f) => f.t === "room.role")).toMatchObject({ role: "host" });
    watcher.socket.close();
    const back = await enter(watcher.token, session);
    expect(back.join.data).toMatchObject({ resumed: true, role: "host", peerId: watcher.peerId });
    expect(await back.ok("room.lock", { locked: false })).toEqual({ locked: false });
    expect(await back.request("room.peer.setRole", { peerId: host.peerId, role: "attendee" })).toMatchObject({ code: "team_host" });
    expect(await back.request("room.peer.remove", { peerId: host.peerId })).toMatchObject({ code: "team_host" });
    await host.ok("room.peer.setRole", { peerId: watcher.peerId, role: "attendee" });
    watcher = back;
  });

  it("removes a peer with a ban that holds for the room and for new join tokens", async () => {
    await host.ok("room.peer.remove", { peerId: attendee.peerId, ban: true });
    expect(await attendee.socket.next((f) => f.t === "room.removed")).toMatchObject({ ban: true });
    await watcher.socket.next((f) => f.t === "media.peerLeft" && f.peerId === attendee.peerId);
    expect(await attendee.request("media.join", { token: attendee.token })).toMatchObject({ t: "error", code: "banned_from_room" });
    expect((await fixture.joinToken(server, attendeePerson, session)).body.error.code).toBe("banned_from_room");
  });

  it("ends the session for everyone: nobody but a host comes back in", async () => {
    await host.ok("room.end");
    await watcher.socket.next((f) => f.t === "room.ended");
    expect(await watcher.request("media.join", { token: watcher.token })).toMatchObject({ t: "error", code: "room_ended" });
  });
});

describe("limits", () => {
  it("refuses a newcomer to a full room with a clear message; hosts still enter", async () => {
    const session = await fixture.session({ maxPeers: 1 });
    const people = await Promise.all(["Fay", "Gil"].map(async (name) => {
      const p = await fixture.person(name);
      await fixture.ticket(p);
      return p;
    }));
    const host = await fixture.person("Hal Host");
    await fixture.teamMember(host, "co_host");
    await enter(host, session);
    expect((await enter(people[0], session)).join.t).toBe("ok");
    const full = await enter(people[1], session);
    expect(full.join).toMatchObject({ t: "error", code: "room_full" });
    expect(full.join.message).toContain("1 person");
    const second = await fixture.person("Ivy Host");
    await fixture.teamMember(second, "co_host");
    expect((await enter(second, session)).join.t).toBe("ok");
  });
});
