/**
 * Server-wide room limits (config `[rooms]`): a session that sets no limit of its own takes
 * the server's default, and the refusal names the limit; a session's own limit wins.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { RoomFixture } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

let server: TestServer;
let fixture: RoomFixture;
let keys: SigningKeys;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_ROOMS_DEFAULT_MAX_PEERS: "2", PLENARY_ROOMS_DEFAULT_MAX_PUBLISHERS: "1" } });
  fixture = await RoomFixture.create(server);
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await fixture?.close();
  await server?.stop();
});

async function enter(session: string, identity: string, roomAdmin = false): Promise<{ socket: TestSocket; join: Frame }> {
  const token = await mintJoinToken(keys, { identity, name: identity, grants: { room: session, canSubscribe: true, roomAdmin, canPublish: roomAdmin } });
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  return { socket, join: await socket.request("media.join", { token }) };
}

describe("server-wide room limits", () => {
  it("apply to a session with none of its own, and the refusal says what the limit is", async () => {
    const session = await fixture.session();
    const host = await enter(session, "limit-host", true);
    expect(host.join.t).toBe("ok");
    const [a, b] = [await enter(session, "limit-a"), await enter(session, "limit-b")];
    expect([a.join.t, b.join.t]).toEqual(["ok", "ok"]);
    const third = await enter(session, "limit-c");
    expect(third.join).toMatchObject({ t: "error", code: "room_full" });
    expect(third.join.message).toBe("This room is full: it takes 2 people. Try again when someone leaves.");
    const state = (host.join.data as { room: { state: Record<string, unknown> } }).room.state;
    expect(state).toMatchObject({ maxPeers: 2, maxPublishers: 1 });

    // One on stage at most, by default.
    const peerOf = (m: { join: Frame }) => (m.join.data as { peerId: string }).peerId;
    expect((await host.socket.request("room.peer.setRole", { peerId: peerOf(a), role: "speaker" })).t).toBe("ok");
    const full = await host.socket.request("room.peer.setRole", { peerId: peerOf(b), role: "speaker" });
    expect(full).toMatchObject({ t: "error", code: "stage_full" });
    expect(full.message).toContain("at most 1 speaker at once");
  });

  it("give way to a session's own limits", async () => {
    const session = await fixture.session({ maxPeers: 3 });
    expect((await enter(session, "own-host", true)).join.t).toBe("ok");
    for (const name of ["own-a", "own-b", "own-c"]) expect((await enter(session, name)).join.t, name).toBe("ok");
    const fourth = await enter(session, "own-d");
    expect(fourth.join).toMatchObject({ t: "error", code: "room_full" });
    expect(fourth.join.message).toContain("it takes 3 people");
  });
});
