/**
 * Roles a host gives inside a session's live room survive a restart of the real server on
 * the same data folder: an attendee brought on stage and one made co-host get their roles
 * back when they rejoin, while one sent back to the audience, one removed from the room and
 * anyone in another session do not. A host's "end room" takes every given role back, in the
 * database too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyDeltas, RoomFixture, type RoomPerson, type RoomSnapshot } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-room-grants-"));
let server: TestServer;
let fixture: RoomFixture;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startServer({ dataDir });
  fixture = await RoomFixture.create(server);
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await fixture?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A person on a socket who joined a room. */
type Member = { socket: TestSocket; join: Frame; peerId: string; role: string };

async function enter(person: RoomPerson, session: string): Promise<Member> {
  const { status, body } = await fixture.joinToken(server, person, session);
  if (status !== 200) throw new Error(`join token for ${person.name}: ${status} ${JSON.stringify(body)}`);
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  const join = await socket.request("media.join", { token: body.token });
  if (join.t !== "ok") throw new Error(`${person.name} could not join: ${JSON.stringify(join)}`);
  const data = join.data as { peerId?: string; role?: string; lobby?: unknown };
  if (data.lobby) throw new Error(`${person.name} waits in the lobby: ${JSON.stringify(data.lobby)}`);
  return { socket, join, peerId: data.peerId!, role: data.role! };
}

async function ok(member: Member, t: string, payload: Record<string, unknown> = {}): Promise<any> {
  const reply = await member.socket.request(t, payload);
  if (reply.t !== "ok") throw new Error(`${t}: ${JSON.stringify(reply)}`);
  return reply.data;
}

/** Waits until the room as `member` sees it satisfies `match`. */
async function state(member: Member, match: (s: RoomSnapshot) => boolean): Promise<RoomSnapshot> {
  const now = () => applyDeltas((member.join.data as { room: { state: RoomSnapshot } }).room.state, member.socket.frames);
  if (match(now())) return now();
  await member.socket.next((f) => f.t === "room.delta" && match(now()), 5_000).catch(() => {
    throw new Error(`the room never matched; latest: ${JSON.stringify(now())}`);
  });
  return now();
}

const grantsOf = (session: string) =>
  fixture.db.selectFrom("room_grants").select(["user_id", "role"]).where("session_id", "=", session).orderBy("role").execute();

async function restart(): Promise<void> {
  for (const s of sockets.splice(0)) s.close();
  await server.stop();
  server = await startServer({ dataDir });
}

it("gives back stage and host roles after a restart, not demoted, removed or other sessions' ones, and ending the room takes them all", async () => {
  const session = await fixture.session();
  const other = await fixture.session({ title: "Workshop" });
  const owner = await fixture.person("Olga Owner");
  await fixture.teamMember(owner, "owner");
  const [sam, hal, dee, rex] = await Promise.all(["Sam Stage", "Hal Helper", "Dee Demoted", "Rex Removed"].map(async (name) => {
    const person = await fixture.person(name);
    await fixture.ticket(person);
    return person;
  }));

  const host = await enter(owner, session);
  const [s, h, d, r] = await Promise.all([sam, hal, dee, rex].map((p) => enter(p, session)));
  for (const m of [s, h, d, r]) expect(m.role).toBe("attendee");
  await ok(host, "room.peer.setRole", { peerId: s.peerId, role: "speaker" });
  await ok(host, "room.peer.setRole", { peerId: h.peerId, role: "host" });
  await ok(host, "room.peer.setRole", { peerId: d.peerId, role: "speaker" });
  await ok(host, "room.peer.setRole", { peerId: d.peerId, role: "attendee" });
  await ok(host, "room.peer.setRole", { peerId: r.peerId, role: "speaker" });
  await ok(host, "room.peer.remove", { peerId: r.peerId });
  // Hal, a host now, brings nobody's role into the other session.
  await ok(h, "room.lock", { locked: false });
  expect(await grantsOf(session)).toEqual([{ user_id: hal.id, role: "host" }, { user_id: sam.id, role: "speaker" }]);

  await restart();

  // Hal comes back first and, as a host, opens the room for the others (it has a lobby until a host comes).
  const h2 = await enter(hal, session);
  expect(h2.role).toBe("host");
  expect(await ok(h2, "room.lock", { locked: false })).toEqual({ locked: false });
  const s2 = await enter(sam, session);
  expect(s2.role).toBe("speaker");
  expect((await ok(s2, "media.transport.create", { direction: "send" })).transportId).toEqual(expect.any(String));
  const [d2, r2] = await Promise.all([enter(dee, session), enter(rex, session)]);
  expect([d2.role, r2.role]).toEqual(["attendee", "attendee"]);
  expect(await d2.socket.request("media.transport.create", { direction: "send" })).toMatchObject({ t: "error", code: "forbidden" });
  const seen = await state(d2, (st) => st.stage.length === 2 && st.audience === 2);
  expect(seen.stage.map((p) => [p.name, p.role]).sort()).toEqual([["Hal Helper", "host"], ["Sam Stage", "speaker"]]);

  // Another session of the same event: the owner opens it, and Sam and Hal attend there.
  await enter(owner, other);
  const [sOther, hOther] = await Promise.all([enter(sam, other), enter(hal, other)]);
  expect([sOther.role, hOther.role]).toEqual(["attendee", "attendee"]);
  expect(await hOther.socket.request("room.lock", { locked: true })).toMatchObject({ t: "error", code: "not_host" });

  // The owner ends the room: every given role ends with it, here and in the database.
  const host2 = await enter(owner, session);
  await ok(host2, "room.end");
  expect(await grantsOf(session)).toEqual([]);
  const { body } = await fixture.joinToken(server, hal, session);
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  expect(await socket.request("media.join", { token: body.token })).toMatchObject({ t: "error", code: "room_ended" });
  // The owner starts it again: Hal and Sam are attendees now, after a restart too.
  await enter(owner, session);
  expect((await enter(hal, session)).role).toBe("attendee");
  await restart();
  await enter(owner, session);
  expect((await enter(sam, session)).role).toBe("attendee");
}, 240_000);
