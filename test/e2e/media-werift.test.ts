/**
 * Media through the real server: werift peers join with join tokens over /ws, publish
 * real VP8 (ffmpeg-encoded) and receive it through the SFU; what arrives is put back
 * into frames that ffmpeg decodes. Then a dropped socket resumes within the grace
 * window, a killed mediasoup worker is survived without a new page, and a peer that was
 * away while its worker died learns from its rejoin that its media must start over.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { eventually, MediaPeer } from "../support/media-peer.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { decodedFrameCount, encodeTestVp8, isKeyframe, writeIvf } from "../support/vp8.ts";

let server: TestServer;
let keys: SigningKeys;
let frames: Buffer[];
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-media-"));
const peers: MediaPeer[] = [];

beforeAll(async () => {
  frames = encodeTestVp8(path.join(scratch, "source.ivf"));
  server = await startServer({ env: { PLENARY_SFU_WORKERS: "2", PLENARY_SFU_RECONNECT_GRACE_MS: "5000" } });
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const token = (room: string, identity: string, canPublish: boolean) =>
  mintJoinToken(keys, { identity, name: identity, grants: { room, canPublish } });

async function connect(room: string, identity: string, canPublish: boolean) {
  const peer = await MediaPeer.connect(server.url, await token(room, identity, canPublish));
  peers.push(peer);
  return peer;
}

/** Frames received since `from`, written to IVF and decoded by ffmpeg. */
function decoded(peer: MediaPeer, name: string): number {
  const file = path.join(scratch, `${name}.ivf`);
  writeIvf(file, peer.depacketizer.decodable());
  return decodedFrameCount(file);
}

describe("media through the server", () => {
  it("forwards a publisher's VP8 to a subscriber, who decodes the keyframes and what follows", async () => {
    const viewer = await connect("stage", "viewer-1", false);
    const speaker = await connect("stage", "speaker-1", true);
    expect(await viewer.socket.next((f) => f.t === "media.peerJoined")).toMatchObject({ peer: { identity: "speaker-1", name: "speaker-1" } });
    expect(speaker.join.data).toMatchObject({ resumed: false, peers: [{ identity: "viewer-1" }], iceServers: [] });

    const producerId = await speaker.publishVideo(frames);
    expect(await viewer.socket.next((f) => f.t === "media.newProducer")).toMatchObject({
      producer: { id: producerId, peerId: speaker.join.data.peerId, kind: "video", source: "camera", paused: false },
    });
    await viewer.subscribe(producerId);
    await eventually("30 frames received", () => viewer.depacketizer.frames.length >= 30);
    expect(viewer.packets).toBeGreaterThan(30);
    expect(viewer.depacketizer.frames.some(isKeyframe)).toBe(true);
    expect(decoded(viewer, "viewer-1")).toBeGreaterThanOrEqual(15);
    // Scores reach the clients as pushes.
    await viewer.socket.next((f) => f.t === "media.consumerScore", 10_000);
    await speaker.socket.next((f) => f.t === "media.producerScore", 10_000);

    // Pausing the producer is pushed to its consumers; resuming too.
    await speaker.ok("media.producer.pause", { producerId });
    await viewer.socket.next((f) => f.t === "media.consumerPaused" && f.consumerId === viewer.consumerId);
    await speaker.ok("media.producer.resume", { producerId });
    await viewer.socket.next((f) => f.t === "media.consumerResumed" && f.consumerId === viewer.consumerId);

    await speaker.ok("media.producer.close", { producerId });
    expect(await viewer.socket.next((f) => f.t === "media.consumerClosed")).toMatchObject({ consumerId: viewer.consumerId, producerId });
    await viewer.socket.next((f) => f.t === "media.producerClosed" && f.producerId === producerId);
    await speaker.ok("media.leave");
    await viewer.socket.next((f) => f.t === "media.peerLeft" && f.peerId === speaker.join.data.peerId);
  });

  it("resumes a peer whose socket dropped, with its consumer and media intact", async () => {
    const speaker = await connect("resume", "speaker-2", true);
    const viewer = await connect("resume", "viewer-2", false);
    const producerId = await speaker.publishVideo(frames);
    const consumerId = await viewer.subscribe(producerId);
    await eventually("media flowing", () => viewer.packets > 20);

    viewer.socket.close();
    await new Promise((r) => setTimeout(r, 300));
    const before = viewer.packets;
    const again = await MediaPeer.connect(server.url, await token("resume", "viewer-2", false));
    peers.push(again);
    expect(again.join.data).toMatchObject({
      resumed: true,
      restarted: false,
      peerId: viewer.join.data.peerId,
      own: { consumers: [{ consumerId, producerId }] },
    });
    // The old peer connection kept receiving throughout; nobody saw the viewer leave.
    await eventually("media still flowing", () => viewer.packets > before + 20);
    expect(speaker.socket.frames.some((f) => f.t === "media.peerLeft")).toBe(false);
  });

  it("survives a killed worker: peers are told to reconnect, do so, and media flows again", async () => {
    const viewer = await connect("phoenix", "viewer-3", false);
    const speaker = await connect("phoenix", "speaker-3", true);
    const firstProducer = await speaker.publishVideo(frames);
    await viewer.subscribe(firstProducer);
    await eventually("media flowing", () => viewer.depacketizer.frames.length > 10);

    const opened = server.logs.find((l) => l.msg === "room opened" && l.room === "phoenix");
    expect(opened).toBeTruthy();
    process.kill(Number(opened!.pid), "SIGKILL");

    const push = await viewer.socket.next((f) => f.t === "media.reconnect", 10_000);
    expect(push).toMatchObject({ reason: "media_server_restarted", routerRtpCapabilities: { codecs: expect.any(Array) } });
    await speaker.socket.next((f) => f.t === "media.reconnect", 10_000);
    await Promise.all([speaker.stopMedia(), viewer.stopMedia()]);
    viewer.socket.frames.length = 0;

    const secondProducer = await speaker.publishVideo(frames);
    await viewer.socket.next((f) => f.t === "media.newProducer" && (f.producer as { id: string }).id === secondProducer);
    await viewer.subscribe(secondProducer);
    await eventually("media flowing again", () => viewer.depacketizer.frames.length >= 20);
    expect(decoded(viewer, "viewer-3")).toBeGreaterThanOrEqual(5);

    // The dead worker was replaced: readiness and metrics see two again.
    await eventually("worker replaced", () => server.logs.filter((l) => l.msg === "sfu worker started").length >= 3);
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toMatchObject({ checks: { sfu: "ok" } });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^plenary_sfu_workers_alive 2$/m);
    expect(metrics).toMatch(/^plenary_sfu_rooms [1-9]/m);
    expect(metrics).toMatch(/^plenary_sfu_consumers [1-9]/m);
    expect(metrics).toMatch(/^plenary_sfu_worker_cpu_seconds\{worker="0",mode="user"\} /m);
    expect(metrics).toMatch(/^plenary_sfu_worker_max_rss_bytes\{worker="1"\} [1-9]/m);
  });

  it("tells a peer that was away when its room restarted, on its resumed join, to start its media over", async () => {
    const away = await connect("lazarus", "away-4", true);
    await away.ok("media.transport.create", { direction: "send" });
    away.socket.close();
    // The server notices the closed socket; the peer is now inside its grace window.
    await new Promise((r) => setTimeout(r, 1_000));

    const opened = server.logs.find((l) => l.msg === "room opened" && l.room === "lazarus");
    process.kill(Number(opened!.pid), "SIGKILL");
    await eventually("room restarted", () => server.logs.some((l) => l.msg === "room restarted on another worker" && l.room === "lazarus"));

    const back = await connect("lazarus", "away-4", true);
    expect(back.join.data).toMatchObject({
      resumed: true,
      restarted: true,
      peerId: away.join.data.peerId,
      own: { transports: [], producers: [], consumers: [] },
    });
    // Once it has started over (a new transport), a later resume is an ordinary one.
    await back.ok("media.transport.create", { direction: "send" });
    back.socket.close();
    await new Promise((r) => setTimeout(r, 300));
    const later = await connect("lazarus", "away-4", true);
    expect(later.join.data).toMatchObject({ resumed: true, restarted: false });
  });
});
