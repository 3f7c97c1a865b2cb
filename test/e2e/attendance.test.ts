/**
 * Attendance over the real server: entering a session's live room (a `media.join` the SFU
 * lets through) records the person in `session_attendance`; waiting in the lobby, or being
 * turned away from it, does not. What is recorded decides who may rate the session.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { RoomFixture, type RoomPerson } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";
import { until } from "./chat-support.ts";

let server: TestServer;
let fixture: RoomFixture;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startServer();
  fixture = await RoomFixture.create(server);
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await fixture?.close();
  await server?.stop();
});

async function enter(person: RoomPerson, session: string): Promise<{ socket: TestSocket; token: string; join: Frame }> {
  const { status, body } = await fixture.joinToken(server, person, session);
  expect(status).toBe(200);
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  return { socket, token: body.token, join: await socket.request("media.join", { token: body.token }) };
}

const attendance = (session: string, person: RoomPerson) =>
  fixture.db.selectFrom("session_attendance").selectAll().where("session_id", "=", session).where("user_id", "=", person.id).executeTakeFirst();

const rate = (person: RoomPerson, session: string) =>
  fetch(`${server.url}/api/events/${fixture.eventId}/ratings`, {
    method: "PUT",
    headers: { cookie: person.cookie, origin: server.url, "content-type": "application/json" },
    body: JSON.stringify({ targetType: "session", targetId: session, stars: 5, comment: "" }),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

it("records who entered the live room, not who waited in the lobby, and lets only them rate the session", async () => {
  const session = await fixture.session({ lobbyMode: "knock" });
  const host = await fixture.person("Hana Host");
  await fixture.teamMember(host, "moderator");
  const [ann, ben] = [await fixture.person("Ann Admitted"), await fixture.person("Ben Turnedaway")];
  await fixture.ticket(ann);
  await fixture.ticket(ben);

  const h = await enter(host, session);
  expect(h.join.t).toBe("ok");
  const hostRow = await until(() => attendance(session, host));
  expect(hostRow).toMatchObject({ joins: 1 });

  const a = await enter(ann, session);
  const b = await enter(ben, session);
  for (const m of [a, b]) expect((m.join.data as { lobby?: { reason: string } }).lobby).toMatchObject({ reason: "knock" });
  const lobby = await h.socket.next((f) => f.t === "room.lobby" && (f.entries as unknown[]).length === 2);
  const entryOf = (name: string) => (lobby.entries as { id: string; name: string }[]).find((e) => e.name === name)!.id;

  // Waiting is not attending: neither may rate the session yet.
  expect(await attendance(session, ann)).toBeUndefined();
  expect((await rate(ann, session)).body.error.code).toBe("not_an_attendee");

  const denied = h.socket.request("room.lobby.deny", { lobbyId: entryOf("Ben Turnedaway") });
  expect((await denied).t).toBe("ok");
  await b.socket.next((f) => f.t === "room.denied");
  expect((await h.socket.request("room.lobby.admit", { lobbyId: entryOf("Ann Admitted") })).t).toBe("ok");
  await a.socket.next((f) => f.t === "room.admitted");
  const joined = await a.socket.request("media.join", { token: a.token });
  expect(joined.data).toMatchObject({ role: "attendee" });

  const annRow = await until(() => attendance(session, ann));
  expect(annRow).toMatchObject({ joins: 1 });
  expect(annRow!.first_joined_at).toBe(annRow!.last_joined_at);
  // Ben was turned away in the lobby: recorded nowhere, and Ann's row (written after his denial) is there.
  expect(await attendance(session, ben)).toBeUndefined();

  expect((await rate(ann, session)).status).toBe(201);
  const refused = await rate(ben, session);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe("not_an_attendee");
});
