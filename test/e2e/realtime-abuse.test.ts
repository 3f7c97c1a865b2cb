/**
 * Realtime abuse over the real server: a ban cuts off a room socket that joined with a join
 * token on an anonymous socket (and its media peer, and the token after it); one person on
 * many sockets shares one write budget; sockets per user and per address are capped.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoomFixture, type RoomPerson, requestAs } from "../support/rooms.ts";
import * as seed from "../support/seed.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSocket } from "../support/ws-client.ts";
import { type ChatCast, chatCast, ok, openDb, person, socketOf, until } from "./chat-support.ts";

describe("a ban in a live room", () => {
  let server: TestServer;
  let fixture: RoomFixture;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    server = await startServer();
    fixture = await RoomFixture.create(server);
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await fixture?.close();
    await server?.stop();
  });

  async function enter(who: RoomPerson, session: string) {
    const { body } = await fixture.joinToken(server, who, session);
    // Not the person's cookie: the join token alone is the proof, as on the anonymous-socket path.
    const socket = await TestSocket.open(server.url);
    sockets.push(socket);
    const join = await socket.request("media.join", { token: body.token });
    if (join.t !== "ok") throw new Error(`join: ${JSON.stringify(join)}`);
    return { socket, token: body.token as string, peerId: (join.data as { peerId: string }).peerId };
  }

  it("closes the banned user's token-joined socket with 4403, drops their peer and refuses their old token", async () => {
    const session = await fixture.session();
    const host = await fixture.person("Hana Host");
    await fixture.teamMember(host, "owner");
    const troll = await fixture.person("Tom Troll");
    await fixture.ticket(troll);
    const adminId = await seed.user(fixture.db, { email: `admin-${randomUUID().slice(0, 8)}@example.org`, name: "Ada Admin", role: "admin" });
    const admin: RoomPerson = { id: adminId, name: "Ada Admin", ...(await seed.signedIn(fixture.db, adminId)), sessionToken: "" };

    const hosting = await enter(host, session);
    const trolling = await enter(troll, session);
    await hosting.socket.next((f) => f.t === "media.peerJoined" && (f.peer as { id: string }).id === trolling.peerId);

    const banned = await requestAs(server, admin, "POST", `/api/admin/users/${troll.id}/ban`, { reason: "Spamming the room" });
    expect(banned.status).toBe(200);
    expect(banned.body.socketsClosed).toBe(1);
    expect(await trolling.socket.closed).toMatchObject({ code: 4403 });
    // Out of the room at once, not after the reconnect grace window.
    await hosting.socket.next((f) => f.t === "media.peerLeft" && f.peerId === trolling.peerId, 3_000);

    // The join token is still signed and unexpired; the ban wins over it.
    const again = await TestSocket.open(server.url);
    sockets.push(again);
    expect(await again.request("media.join", { token: trolling.token })).toMatchObject({ t: "error", code: "banned" });
  });
});

describe("one person on many sockets", () => {
  let cast: ChatCast;
  beforeAll(async () => {
    // The default budget (chatCast widens it for the suites that script many writes).
    cast = await chatCast({ env: { PLENARY_REALTIME_USER_WRITE_BURST: "40" } });
  }, 60_000);
  afterAll(() => cast?.close());

  it("shares one write budget: a flood from five sockets is cut to the per-person burst, with retryAfterMs", async () => {
    const { alice } = cast.people;
    const sockets = await Promise.all(Array.from({ length: 5 }, () => cast.open(alice)));
    for (const socket of sockets) await ok(socket, "chat.join", { channel: cast.lobby });
    const started = performance.now();
    // 60 per socket stays inside each socket's own limit (burst 60): only the person's limit can stop them.
    const replies = await Promise.all(sockets.flatMap((socket) => Array.from({ length: 60 }, (_, i) => socket.request("chat.send", { channel: cast.lobby, text: `flood ${i}` }))));
    const elapsedSeconds = (performance.now() - started) / 1000;
    const stored = replies.filter((r) => r.t === "ok").length;
    const limited = replies.filter((r) => r.t === "error");
    // Defaults: 40 in a burst, then 5 a second, whatever the number of sockets.
    expect(stored).toBeGreaterThanOrEqual(40);
    expect(stored).toBeLessThanOrEqual(40 + Math.ceil(5 * elapsedSeconds) + 1);
    expect(limited.length).toBe(300 - stored);
    for (const reply of limited) {
      expect(reply.code).toBe("rate_limited");
      expect(reply.retryAfterMs).toBeGreaterThan(0);
    }
    const rows = await cast.db.selectFrom("chat_messages").select("id").where("author_id", "=", alice.id).where("text", "like", "flood %").execute();
    expect(rows.length).toBe(stored);
    // Someone else in the same channel is not slowed by Alice's flood.
    expect((await (await cast.open(cast.people.bob)).request("chat.send", { channel: cast.lobby, text: "still here" })).t).toBe("ok");
  });
});

describe("socket caps", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { PLENARY_REALTIME_MAX_SOCKETS_PER_USER: "2", PLENARY_REALTIME_MAX_SOCKETS_PER_ADDRESS: "4" } });
  }, 60_000);
  afterAll(() => server?.stop());

  it("closes a user's socket past the per-user cap and any socket past the per-address cap with 4430", async () => {
    const db = openDb(server);
    const carol = await person(server, db, "Carol");
    const [first, second] = [await socketOf(server, carol), await socketOf(server, carol)];
    const third = new TestSocket(server.url, { headers: { cookie: carol.http.cookieHeader, origin: server.url } });
    expect(await third.closed).toMatchObject({ code: 4430, reason: "Too many connections" });
    // The ones already open keep working, and a freed place can be taken again.
    expect((await first.request("sys.ping")).t).toBe("ok");
    second.close();
    await second.closed;
    // The server learns of the close a moment after the client does.
    const replacement = await until(async () => {
      const socket = await socketOf(server, carol);
      return Promise.race([socket.next((f) => f.t === "sys.hello").then(() => socket), socket.closed.then(() => null)]);
    });

    // Two of Carol's and two anonymous fill the address; the next, signed in or not, is refused.
    const anonymous = [await TestSocket.open(server.url), await TestSocket.open(server.url)];
    await anonymous[1].next((f) => f.t === "sys.hello");
    const over = new TestSocket(server.url);
    expect(await over.closed).toMatchObject({ code: 4430 });
    for (const s of [first, replacement, ...anonymous]) s.close();
    await db.destroy();
  });
});
