/**
 * The fan-out over real sockets: the real RealtimeHub and Fanout in this process behind a
 * loopback HTTP server, with a test-only `test.subscribe` message in place of a domain's
 * join (chat, polls, Q&A all subscribe through the same Fanout), so the slow-consumer rules
 * are tested apart from any one of them. One client stops reading; the others get every
 * frame meanwhile, and the slow one gets a resync instead of a backlog.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { configSchema } from "../../server/config/index.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { Fanout } from "../../server/realtime/fanout.ts";
import { RealtimeHub } from "../../server/realtime/hub.ts";
import { MessageRouter } from "../../server/realtime/router.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

let http: Server;
let hub: RealtimeHub;
let fanout: Fanout;
let url: string;

beforeAll(async () => {
  const router = new MessageRouter();
  // A small write budget, so that three clients are already "under load" and get batches.
  fanout = new Fanout({ intervalMs: 50, slowConsumerBytes: 64 * 1024, directSendsPerInterval: 3 });
  router.on("test.subscribe", {
    schema: z.strictObject({ topic: z.string() }),
    action: "test.subscribe",
    handle: ({ topic }, { connection }) => void fanout.subscribe(connection, topic),
  });
  hub = new RealtimeHub({
    config: { ...configSchema.parse({}).realtime, max_buffered_bytes: 256 * 1024 * 1024 },
    router,
    log: createLogger("silent"),
    metrics: createMetrics(),
    gate: { admit: async () => null, authorize: () => true },
  });
  http = createServer((_, res) => res.writeHead(404).end());
  http.on("upgrade", (request, socket, head) => hub.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  fanout?.close();
  await hub?.close();
  await new Promise((resolve) => http?.close(resolve));
});

/** Chat messages a client received, batches unwrapped, in order. */
function chatNumbers(frames: Frame[]): number[] {
  return frames
    .flatMap((f) => (f.t === "batch" ? (f.frames as Frame[]) : [f]))
    .filter((f) => f.t === "chat.message")
    .map((f) => f.n as number);
}

async function join(topic: string): Promise<TestSocket> {
  const socket = await TestSocket.open(url);
  expect((await socket.request("test.subscribe", { topic })).t).toBe("ok");
  return socket;
}

describe("fan-out over WebSockets", () => {
  it("delivers in order, coalesced, to everyone while a slow reader loses frames and gets one resync", async () => {
    const healthy = await Promise.all([join("session:s1"), join("session:s1")]);
    const slow = await join("session:s1");
    const elsewhere = await join("session:s2");
    expect(fanout.subscriberCount("session:s1")).toBe(3);

    // The slow client stops reading: its kernel buffers fill, then the server's send buffer.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const body = "x".repeat(32 * 1024);
    const TOTAL = 600;
    for (let n = 1; n <= TOTAL; n++) {
      fanout.publish("session:s1", { t: "chat.message", n, body });
      if (n % 10 === 0) fanout.publish("session:s1", { t: "reaction", emoji: "👏" }, "ephemeral");
      if (n % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }

    for (const socket of healthy) {
      await expect.poll(() => chatNumbers(socket.frames).length, { timeout: 20_000 }).toBe(TOTAL);
      expect(chatNumbers(socket.frames)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      expect(socket.frames.some((f) => f.t === "batch")).toBe(true);
      expect(socket.frames.some((f) => f.t === "sys.resync")).toBe(false);
    }
    expect(elsewhere.frames.filter((f) => f.t !== "ok" && f.t !== "sys.hello")).toEqual([]);
    expect(fanout.stats.droppedEphemeral).toBeGreaterThan(0);

    // It reads again: what was already buffered arrives, then exactly one resync, not the backlog.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const resync = await slow.next((f) => f.t === "sys.resync", 20_000);
    expect(resync).toEqual({ t: "sys.resync", topics: ["session:s1"] });
    const received = chatNumbers(slow.frames);
    expect(received.length).toBeLessThan(TOTAL);
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => i + 1));

    fanout.publish("session:s1", { t: "chat.message", n: TOTAL + 1, body: "" });
    await expect.poll(() => chatNumbers(slow.frames).at(-1), { timeout: 10_000 }).toBe(TOTAL + 1);
    expect(slow.frames.filter((f) => f.t === "sys.resync")).toHaveLength(1);

    for (const socket of [...healthy, slow, elsewhere]) socket.close();
    await expect.poll(() => fanout.subscriberCount("session:s1"), { timeout: 10_000 }).toBe(0);
  }, 60_000);
});
