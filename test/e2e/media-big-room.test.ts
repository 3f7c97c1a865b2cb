/**
 * A room past its consumer budget: with a budget of one consumer per router, each new
 * viewer lands on a router on another worker (the producer piped there), and every
 * viewer still receives decodable video. When only such a secondary router's worker dies,
 * only its viewers reconnect; the first router's peers keep their media.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { eventually, MediaPeer } from "../support/media-peer.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { decodedFrameCount, encodeTestVp8, writeIvf } from "../support/vp8.ts";

let server: TestServer;
let keys: SigningKeys;
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-big-room-"));
const peers: MediaPeer[] = [];

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_SFU_WORKERS: "2", PLENARY_SFU_CONSUMER_BUDGET: "1" } });
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const join = async (identity: string, canPublish: boolean, room = "hall") => {
  const peer = await MediaPeer.connect(server.url, await mintJoinToken(keys, { identity, name: identity, grants: { room, canPublish } }));
  peers.push(peer);
  return peer;
};

it("spreads viewers over routers on both workers and each decodes the piped video", async () => {
  const frames = encodeTestVp8(path.join(scratch, "source.ivf"));
  const speaker = await join("keynote", true);
  const producerId = await speaker.publishVideo(frames);
  const viewers = [];
  for (let i = 0; i < 3; i++) {
    const viewer = await join(`seat-${i}`, false);
    await viewer.subscribe(producerId);
    viewers.push(viewer);
  }
  for (const viewer of viewers) await eventually("viewer receives frames", () => viewer.depacketizer.frames.length >= 20);
  viewers.forEach((viewer, i) => {
    const file = path.join(scratch, `seat-${i}.ivf`);
    writeIvf(file, viewer.depacketizer.decodable());
    expect(decodedFrameCount(file), `seat-${i}`).toBeGreaterThanOrEqual(5);
  });
  const spread = server.logs.filter((l) => l.msg === "room spread to another router" && l.room === "hall");
  expect(spread.length).toBeGreaterThanOrEqual(2);
  // Both workers carry routers of the room.
  const opened = server.logs.find((l) => l.msg === "room opened" && l.room === "hall");
  expect(new Set([opened!.worker, ...spread.map((l) => l.worker)])).toEqual(new Set([0, 1]));
});

it("restarts only the secondary router when its worker dies: its viewer reconnects, the first router's peers are untouched", async () => {
  const frames = encodeTestVp8(path.join(scratch, "annex.ivf"));
  const speaker = await join("annex-speaker", true, "annex");
  const producerId = await speaker.publishVideo(frames);
  const near = await join("annex-near", false, "annex");
  await near.subscribe(producerId);
  const far = await join("annex-far", false, "annex");
  await far.subscribe(producerId);
  await eventually("both viewers receive frames", () => near.depacketizer.frames.length >= 10 && far.depacketizer.frames.length >= 10);

  const spread = server.logs.find((l) => l.msg === "room spread to another router" && l.room === "annex");
  const opened = server.logs.find((l) => l.msg === "room opened" && l.room === "annex");
  expect(spread!.pid).not.toBe(opened!.pid);
  process.kill(Number(spread!.pid), "SIGKILL");

  expect(await far.socket.next((f) => f.t === "media.reconnect", 10_000)).toMatchObject({ reason: "media_server_restarted" });
  await eventually("router replaced", () => server.logs.some((l) => l.msg === "room router replaced after its worker died" && l.room === "annex"));
  // The first router's peers keep their transports, producer and consumer, and the media flows on.
  const before = near.packets;
  await eventually("near viewer still receives", () => near.packets > before + 20);
  for (const peer of [speaker, near]) {
    expect(peer.socket.frames.filter((f) => ["media.reconnect", "media.consumerClosed", "media.producerClosed"].includes(f.t))).toEqual([]);
  }
  expect(server.logs.some((l) => l.msg === "room restarted on another worker" && l.room === "annex")).toBe(false);

  // The far viewer reconnects on the same socket and receives again.
  await far.stopMedia();
  const received = far.depacketizer.frames.length;
  await far.subscribe(producerId);
  await eventually("far viewer receives again", () => far.depacketizer.frames.length >= received + 20);
});
