/**
 * The Plenary side of bench/fanout.ts, run as its own process: the real RealtimeHub,
 * MessageRouter and Fanout behind a loopback HTTP server. The product has no chat feature
 * wired in yet, so two bench-only messages stand in for it: `bench.join` subscribes the
 * connection to a topic and `bench.chat` publishes a durable chat frame to it.
 * Talks to the driver over IPC (see bench/fanout-ipc.ts).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { configSchema } from "../server/config/index.ts";
import { createLogger } from "../server/log.ts";
import { createMetrics } from "../server/metrics.ts";
import { Fanout } from "../server/realtime/fanout.ts";
import { RealtimeHub } from "../server/realtime/hub.ts";
import { MessageRouter } from "../server/realtime/router.ts";
import { serveMeasurements } from "./fanout-ipc.ts";

const intervalMs = Number(process.argv[2] ?? 100);
const defaults = configSchema.parse({}).realtime;
const fanout = new Fanout({ intervalMs, slowConsumerBytes: defaults.max_buffered_bytes / 4 });
const router = new MessageRouter();
router.on("bench.join", {
  schema: z.strictObject({ topic: z.string().max(100) }),
  action: "bench.join",
  handle: ({ topic }, { connection }) => void fanout.subscribe(connection, topic),
});
router.on("bench.chat", {
  schema: z.strictObject({ topic: z.string().max(100), n: z.number(), sentAt: z.number(), text: z.string().max(2_000) }),
  action: "bench.chat",
  handle: ({ topic, n, sentAt, text }) => ({ delivered: fanout.publish(topic, { t: "chat.message", n, sentAt, text }) }),
});
const hub = new RealtimeHub({
  // Heartbeats would only add noise over a 10 s run.
  config: { ...defaults, heartbeat_interval_ms: 600_000 },
  router,
  log: createLogger("warn"),
  metrics: createMetrics(),
  gate: { admit: async () => null, authorize: () => true },
});
const http = createServer((_, res) => res.writeHead(404).end());
http.on("upgrade", (request, socket, head) => hub.handleUpgrade(request, socket, head));
http.listen({ host: "127.0.0.1", port: 0, backlog: 4_096 }, () => {
  serveMeasurements((http.address() as AddressInfo).port, () => fanout.stats);
});
