/**
 * A session room at audience scale, over the real server: 300 attendee connections join
 * one room. Nobody but a host is told about attendees one by one: every frame an attendee
 * gets stays small (the flags, the stage and a count), the count comes out right on every
 * socket, and a host finds one attendee by searching and pages through everyone.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { applyDeltas, RoomFixture, type RoomSnapshot } from "../support/rooms.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

const AUDIENCE = 300;
let server: TestServer;
let fixture: RoomFixture;
let keys: SigningKeys;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  // Every socket comes from 127.0.0.1: above the per-address cap (default 200) meant for one household or office.
  server = await startServer({ env: { PLENARY_REALTIME_MAX_SOCKETS_PER_ADDRESS: String(AUDIENCE + 50) } });
  fixture = await RoomFixture.create(server);
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await fixture?.close();
  await server?.stop();
});

type Member = { identity: string; socket: TestSocket; join: Frame };

async function enter(session: string, identity: string, grants: { roomAdmin?: boolean; canPublish?: boolean } = {}): Promise<Member> {
  const token = await mintJoinToken(keys, { identity, name: identity, grants: { room: session, canSubscribe: true, ...grants } });
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  const join = await socket.request("media.join", { token });
  if (join.t !== "ok") throw new Error(`${identity} could not join: ${JSON.stringify(join)}`);
  return { identity, socket, join };
}
const roomOf = (m: Member): RoomSnapshot => applyDeltas((m.join.data as { room: { state: RoomSnapshot } }).room.state, m.socket.frames);
const ATTENDEE = /audience-member-\d+-x/g;
const attendeesIn = (frame: Frame) => new Set(JSON.stringify(frame).match(ATTENDEE) ?? []);

describe("a room with hundreds of attendees", () => {
  let session: string;
  let host: Member;
  const audience: Member[] = [];

  beforeAll(async () => {
    session = await fixture.session();
    host = await enter(session, "the-host", { roomAdmin: true, canPublish: true });
    // In waves, as a crowd arrives at the start of a session.
    for (let wave = 0; wave < AUDIENCE; wave += 50) {
      const arrivals = Array.from({ length: Math.min(50, AUDIENCE - wave) }, (_, i) => enter(session, `audience-member-${wave + i}-x`));
      audience.push(...(await Promise.all(arrivals)));
    }
  }, 180_000);

  it("tells everyone the right count and the stage, in frames that list no audience", async () => {
    await expect.poll(() => roomOf(host).audience, { timeout: 30_000, interval: 200 }).toBe(AUDIENCE);
    for (const member of audience) {
      await expect.poll(() => roomOf(member).audience, { timeout: 30_000, interval: 100 }).toBe(AUDIENCE);
      expect(roomOf(member).stage.map((p) => p.identity)).toEqual(["the-host"]);
    }
    // A raised hand goes on the stage for everyone, and off it again.
    const raiser = audience[123];
    expect((await raiser.socket.request("room.hand.raise")).t).toBe("ok");
    for (const member of [host, audience[0], audience.at(-1)!]) {
      await expect.poll(() => roomOf(member).stage.find((p) => p.identity === raiser.identity)?.hand ?? null, { timeout: 10_000, interval: 100 }).toBe(1);
    }
    expect((await raiser.socket.request("room.hand.lower")).t).toBe("ok");
    await expect.poll(() => roomOf(audience[0]).stage.length, { timeout: 10_000, interval: 100 }).toBe(1);

    let deltas = 0;
    for (const member of audience) {
      for (const frame of member.socket.frames.filter((f) => f.id === undefined)) {
        if (frame.t === "room.delta") deltas += 1;
        // No push is a list of attendees: at most one is named (while the room was small,
        // each arrival was announced), and what a delta carries is the stage, which holds
        // no attendee without a raised hand.
        expect(attendeesIn(frame).size, `${member.identity} got ${frame.t}`).toBeLessThanOrEqual(1);
        expect(JSON.stringify(frame).length, `${member.identity} got a big ${frame.t}`).toBeLessThan(4_096);
      }
    }
    // Join replies list everyone only while the room is small; past that, no attendee at all.
    for (const member of audience.slice(100)) expect(attendeesIn(member.join).size, member.identity).toBe(0);
    console.log(`${AUDIENCE} attendees received ${deltas} room.delta frames in all (${(deltas / AUDIENCE).toFixed(1)} each)`);
  }, 180_000);

  it("lets a host search the audience and page through everyone; attendees may not", async () => {
    const found = await host.socket.request("room.participants", { query: "MEMBER-217-" });
    expect(found.data).toMatchObject({ total: 1, next: null, participants: [{ identity: "audience-member-217-x", role: "attendee", hand: null }] });

    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await host.socket.request("room.participants", { limit: 100, ...(cursor ? { cursor } : {}) })).data as {
        participants: { identity: string }[];
        next: string | null;
        total: number;
      };
      expect(page.total).toBe(AUDIENCE + 1);
      for (const p of page.participants) seen.add(p.identity);
      cursor = page.next ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen.size).toBe(AUDIENCE + 1);

    expect(await audience[5].socket.request("room.participants", { query: "member" })).toMatchObject({ t: "error", code: "not_host" });
  }, 60_000);

  it("counts people leaving", async () => {
    const leaving = audience.splice(0, 20);
    for (const member of leaving) expect((await member.socket.request("media.leave")).t).toBe("ok");
    await expect.poll(() => roomOf(host).audience, { timeout: 20_000, interval: 200 }).toBe(AUDIENCE - 20);
    await expect.poll(() => roomOf(audience[0]).audience, { timeout: 20_000, interval: 200 }).toBe(AUDIENCE - 20);
  }, 60_000);
});
