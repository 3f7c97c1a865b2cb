/**
 * A room past its consumer budget: with a budget of one consumer per router, each new
 * viewer lands on a router on another worker (the producer piped there), and every
 * viewer still receives decodable video.
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

it("spreads viewers over routers on both workers and each decodes the piped video", async () => {
  const frames = encodeTestVp8(path.join(scratch, "source.ivf"));
  const join = async (identity: string, canPublish: boolean) => {
    const peer = await MediaPeer.connect(server.url, await mintJoinToken(keys, { identity, name: identity, grants: { room: "hall", canPublish } }));
    peers.push(peer);
    return peer;
  };
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
