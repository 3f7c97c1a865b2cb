/**
 * The room/peer model against real mediasoup workers (no signaling, no network peers):
 * ports, grants, close cascades, a dying worker (the first router's or a secondary's), and
 * spreading a big room over workers.
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { types } from "mediasoup";
import { createLogger } from "../server/log.ts";
import { Sfu } from "./Sfu.ts";

const log = createLogger("silent");
const publisher = { canPublish: true, canSubscribe: true, hidden: false };
const viewer = { canPublish: false, canSubscribe: true, hidden: false };
const vp8Parameters = (ssrc: number): types.RtpParameters => ({
  mid: "0",
  codecs: [{ mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }],
  encodings: [{ ssrc }],
});

let sfu: Sfu | undefined;
afterEach(() => sfu?.close());

async function start(options: { workers?: number; consumerBudget?: number; reconnectGraceMs?: number; rtcPort?: number } = {}) {
  sfu = await Sfu.create({ workers: 2, listenIp: "127.0.0.1", rtcPort: 0, log, ...options });
  return sfu;
}

async function waitFor(what: string, condition: () => boolean, ms = 5_000) {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A first port for `count` workers whose ports are free for UDP and TCP on loopback right now
 * (bound and released). Drawn below Linux's ephemeral range (32768 and up), where the
 * outgoing connections and port-0 listeners of tests running alongside cannot land.
 */
async function freeRtcPort(count = 2): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const tcp = createServer();
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => {
        const udp = createSocket("udp4");
        udp.once("error", () => tcp.close(() => resolve(false)));
        udp.bind(port, "127.0.0.1", () => udp.close(() => tcp.close(() => resolve(true))));
      });
    });
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 6_000) * 2;
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error("no free port pair below the ephemeral range");
}

describe("Sfu", () => {
  it("runs a WebRtcServer per worker: transports offer one UDP and one TCP candidate", async () => {
    const rtcPort = await freeRtcPort();
    const s = await start({ rtcPort });
    expect(s.pool.workers).toHaveLength(2);
    const { peer, room, resumed } = await s.join("r1", { identity: "u1", name: "One", grants: publisher });
    expect(resumed).toBe(false);
    expect(room.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(["audio/opus", "video/VP8", "video/VP9", "video/H264"]),
    );
    const transport = await peer.createTransport("send");
    const protocols = transport.iceCandidates.map((c) => c.protocol).sort();
    expect(protocols).toEqual(["tcp", "udp"]);
    // Worker i listens on rtcPort + i for both protocols.
    const index = peer.home.worker.index;
    expect(transport.iceCandidates.map((c) => c.port)).toEqual([rtcPort + index, rtcPort + index]);
    expect(transport.iceCandidates.every((c) => c.address === "127.0.0.1")).toBe(true);
  });

  it("enforces grants: a viewer cannot open a send transport or produce", async () => {
    const s = await start();
    const { peer } = await s.join("r1", { identity: "v", name: "V", grants: viewer });
    await expect(peer.createTransport("send")).rejects.toMatchObject({ code: "forbidden" });
    await expect(peer.createTransport("recv")).resolves.toBeTruthy();
  });

  it("cascades close: room → peers → transports → producers; safe twice; empty rooms go", async () => {
    const s = await start();
    const { peer, room } = await s.join("r1", { identity: "u1", name: "One", grants: publisher });
    const transport = await peer.createTransport("send");
    const producer = await room.produce(peer, { transportId: transport.id, kind: "video", rtpParameters: vp8Parameters(1111), source: "camera" });
    expect(room.producers.size).toBe(1);
    peer.close();
    peer.close();
    expect(transport.closed).toBe(true);
    expect(producer.closed).toBe(true);
    expect(room.producers.size).toBe(0);
    await waitFor("empty room closed", () => room.closed);
    expect(s.rooms.size).toBe(0);
    s.close();
    s.close();
    expect(s.pool.closed).toBe(true);
  });

  it("resumes a peer of the same identity within the grace window, and drops it after", async () => {
    const s = await start({ reconnectGraceMs: 300 });
    const first = await s.join("r1", { identity: "u1", name: "One", grants: publisher });
    const transport = await first.peer.createTransport("send");
    s.detach(first.peer);
    const again = await s.join("r1", { identity: "u1", name: "One", grants: publisher });
    expect(again).toMatchObject({ resumed: true, peer: first.peer });
    expect(again.peer.transports.get(transport.id)).toBe(transport);
    s.detach(again.peer);
    await waitFor("peer gone after the grace window", () => again.peer.closed);
    expect(transport.closed).toBe(true);
  });

  it("applies a rejoin's newer grants: a publisher demoted to viewer loses its send transport", async () => {
    const s = await start();
    const { peer } = await s.join("r1", { identity: "u1", name: "One", grants: publisher });
    const send = await peer.createTransport("send");
    const recv = await peer.createTransport("recv");
    await s.join("r1", { identity: "u1", name: "One", grants: viewer });
    expect(peer.grants).toEqual(viewer);
    expect(send.closed).toBe(true);
    expect(recv.closed).toBe(false);
  });

  it("restarts a room on a healthy worker when its worker is killed, and replaces the worker on its ports", async () => {
    const rtcPort = await freeRtcPort();
    const s = await start({ rtcPort });
    const { peer, room } = await s.join("r1", { identity: "u1", name: "One", grants: publisher });
    await peer.createTransport("send");
    const dead = room.routers[0].worker;
    let restarted = 0;
    room.on("restarted", () => (restarted += 1));
    process.kill(dead.pid, "SIGKILL");
    await waitFor("room restarted", () => restarted === 1);
    expect(room.routers[0].worker).not.toBe(dead);
    expect(room.routers[0].worker.worker.died).toBe(false);
    expect(peer.transports.size).toBe(0);
    expect(peer.mediaLost).toBe(true);
    expect(peer.home.router).toBe(room.routers[0].router);
    await expect(peer.createTransport("send")).resolves.toBeTruthy();
    expect(peer.mediaLost).toBe(false);
    await waitFor("worker replaced", () => s.pool.health.alive === 2);
    expect(s.pool.workers.map((w) => w.index)).toEqual([0, 1]);
    const replacement = s.pool.workers.find((w) => w.index === dead.index)!;
    expect(replacement.pid).not.toBe(dead.pid);
    const dump = await replacement.webRtcServer.dump();
    expect([dump.udpSockets[0].port, dump.tcpServers[0].port]).toEqual([rtcPort + dead.index, rtcPort + dead.index]);
  });

  it("spreads viewers past the consumer budget to a router on another worker, piping the producer", async () => {
    const s = await start({ consumerBudget: 2 });
    const { peer: speaker, room } = await s.join("big", { identity: "speaker", name: "S", grants: publisher });
    const send = await speaker.createTransport("send");
    const producer = await room.produce(speaker, { transportId: send.id, kind: "video", rtpParameters: vp8Parameters(2222), source: "camera" });
    const viewers = [];
    for (let i = 0; i < 3; i++) {
      const { peer } = await s.join("big", { identity: `viewer${i}`, name: `V${i}`, grants: viewer });
      peer.setRtpCapabilities(room.rtpCapabilities);
      await peer.createTransport("recv");
      const consumer = await room.consume(peer, producer.id);
      expect(consumer.appData).toMatchObject({ producerId: producer.id, peerId: speaker.id, source: "camera" });
      viewers.push(peer);
    }
    expect(room.routers).toHaveLength(2);
    expect(room.routers[0].worker).not.toBe(room.routers[1].worker);
    expect(room.routers.map((r) => r.consumers)).toEqual([2, 1]);
    expect(viewers[2].home.router).toBe(room.routers[1].router);
    // The third viewer's consumer reads a pipe producer, not the original.
    const third = [...viewers[2].consumers.values()][0];
    expect(third.producerId).not.toBe(producer.id);
    // Closing the original closes what was piped from it.
    producer.close();
    await waitFor("piped consumer closed", () => third.closed);
  });

  it("pipes between routers on the same worker too (keepId false)", async () => {
    const s = await start({ workers: 1, consumerBudget: 1 });
    const { peer: speaker, room } = await s.join("same", { identity: "speaker", name: "S", grants: publisher });
    const send = await speaker.createTransport("send");
    const producer = await room.produce(speaker, { transportId: send.id, kind: "video", rtpParameters: vp8Parameters(3333), source: "camera" });
    for (let i = 0; i < 2; i++) {
      const { peer } = await s.join("same", { identity: `v${i}`, name: "V", grants: viewer });
      peer.setRtpCapabilities(room.rtpCapabilities);
      await peer.createTransport("recv");
      await room.consume(peer, producer.id);
    }
    expect(room.routers).toHaveLength(2);
    expect(room.routers[0].worker).toBe(room.routers[1].worker);
  });

  it("replaces only a secondary router whose worker died: its peers move and reconnect, the first router's keep their media", async () => {
    const s = await start({ consumerBudget: 1 });
    const { peer: speaker, room } = await s.join("split", { identity: "speaker", name: "S", grants: publisher });
    const send = await speaker.createTransport("send");
    const producer = await room.produce(speaker, { transportId: send.id, kind: "video", rtpParameters: vp8Parameters(4444), source: "camera" });
    const viewers = [];
    for (let i = 0; i < 2; i++) {
      const { peer } = await s.join("split", { identity: `v${i}`, name: "V", grants: viewer });
      peer.setRtpCapabilities(room.rtpCapabilities);
      await peer.createTransport("recv");
      await room.consume(peer, producer.id);
      viewers.push(peer);
    }
    const [first, second] = room.routers;
    expect(second.worker).not.toBe(first.worker);
    const moved: string[][] = [];
    room.on("restarted", (peers) => moved.push(peers.map((p) => p.identity)));
    process.kill(second.worker.pid, "SIGKILL");
    await waitFor("secondary router replaced", () => moved.length === 1);
    expect(moved).toEqual([["v1"]]);
    expect(room.routers[0]).toBe(first);
    expect(room.routers.every((r) => !r.worker.worker.died)).toBe(true);
    expect(send.closed).toBe(false);
    expect(producer.closed).toBe(false);
    expect(viewers[0].consumers.size).toBe(1);
    expect(viewers[1].consumers.size).toBe(0);
    expect([speaker.mediaLost, viewers[0].mediaLost, viewers[1].mediaLost]).toEqual([false, false, true]);
    expect(viewers[1].home.router).not.toBe(second.router);
    // The moved viewer consumes again on its new router.
    await viewers[1].createTransport("recv");
    await expect(room.consume(viewers[1], producer.id)).resolves.toBeTruthy();
  });
});
