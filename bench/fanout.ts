/**
 * Broadcast to one big session: `--clients` WebSocket subscribers on one topic, driven
 * from separate client processes on loopback, and one publisher sending `--rate` chat
 * messages a second for `--seconds`. Run once against Plenary's fan-out and once against
 * socket.io (room broadcast) in the same run; prints delivered messages per second,
 * p50/p99 delivery latency, server CPU and memory per connection, and the ratios.
 * Printed, never asserted.
 *
 * The product has no chat feature wired in yet, so the Plenary side is a bench server
 * process built from the real modules (RealtimeHub + MessageRouter + Fanout; see
 * bench/fanout-server.ts).
 *
 *   node bench/fanout.ts [--clients 5000] [--rate 20] [--seconds 10] [--processes 2] [--interval 100]
 */
import { type ChildProcess, fork } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { ClientsReply, ClientsRequest } from "./fanout-clients.ts";
import type { ServerReply, ServerRequest } from "./fanout-ipc.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "5000" },
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "10" },
    processes: { type: "string", default: "2" },
    interval: { type: "string", default: "100" },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const PROCESSES = Number(values.processes);
const INTERVAL_MS = Number(values.interval);
const DRAIN_MS = 2_000;
const TOPIC = "session:bench";

type Kind = "plenary" | "socketio";
type Result = {
  published: number;
  received: number;
  expected: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  serverCpuPercent: number;
  /** Server CPU time per 1,000 delivered messages: comparable even on a machine busy with other work. */
  serverCpuMsPerThousand: number;
  clientCpuPercent: number;
  rssPerConnection: number;
  heapPerConnection: number;
  stats: unknown;
};

function next<T extends { type: string }>(child: ChildProcess, type: T["type"]): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`bench process exited (${code}) while waiting for ${type}`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function ask<T extends { type: string }>(child: ChildProcess, request: ServerRequest | ClientsRequest, type: T["type"]): Promise<T> {
  const reply = next<T>(child, type);
  child.send(request);
  return reply;
}

const file = (name: string) => new URL(name, import.meta.url).pathname;

async function measure(kind: Kind): Promise<Result> {
  const serverFile = kind === "plenary" ? "./fanout-server.ts" : "./fanout-socketio-server.ts";
  const server = fork(file(serverFile), [String(INTERVAL_MS)], { serialization: "advanced", execArgv: ["--expose-gc"], stdio: "inherit" });
  const clients: ChildProcess[] = [];
  try {
    const { port } = await next<Extract<ServerReply, { type: "ready" }>>(server, "ready");
    const url = `http://127.0.0.1:${port}`;
    const before = await ask<Extract<ServerReply, { type: "memory" }>>(server, { type: "memory" }, "memory");
    for (let i = 0; i < PROCESSES; i++) clients.push(fork(file("./fanout-clients.ts"), [], { serialization: "advanced", stdio: "inherit" }));
    await Promise.all(
      clients.map((child, i) => {
        const count = Math.floor(CLIENTS / PROCESSES) + (i < CLIENTS % PROCESSES ? 1 : 0);
        return ask(child, { type: "connect", kind, url, count, topic: TOPIC, publisher: i === 0 }, "connected");
      }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await ask<Extract<ServerReply, { type: "memory" }>>(server, { type: "memory" }, "memory");
    server.send({ type: "cpu-start" } satisfies ServerRequest);
    const reports = await Promise.all(
      clients.map((child) =>
        ask<Extract<ClientsReply, { type: "report" }>>(child, { type: "run", rate: RATE, seconds: SECONDS, drainMs: DRAIN_MS }, "report"),
      ),
    );
    const cpu = await ask<Extract<ServerReply, { type: "cpu" }>>(server, { type: "cpu-stop" }, "cpu");

    const latencies = new Float64Array(reports.reduce((n, r) => n + r.received, 0));
    let offset = 0;
    for (const r of reports) {
      latencies.set(r.latencies, offset);
      offset += r.received;
    }
    latencies.sort();
    const published = reports.reduce((n, r) => n + r.published, 0);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? NaN;
    return {
      published,
      received: latencies.length,
      expected: published * CLIENTS,
      perSecond: latencies.length / SECONDS,
      p50: at(0.5),
      p99: at(0.99),
      max: latencies.length ? latencies[latencies.length - 1] : NaN,
      serverCpuPercent: ((cpu.userMs + cpu.systemMs) / cpu.wallMs) * 100,
      serverCpuMsPerThousand: ((cpu.userMs + cpu.systemMs) / Math.max(1, latencies.length)) * 1_000,
      clientCpuPercent: reports.reduce((n, r) => n + (r.cpuMs / r.wallMs) * 100, 0),
      rssPerConnection: (after.rss - before.rss) / CLIENTS,
      heapPerConnection: (after.heapUsed - before.heapUsed) / CLIENTS,
      stats: cpu.stats,
    };
  } finally {
    for (const child of [...clients, server]) if (child.connected) child.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    for (const child of [...clients, server]) if (child.exitCode === null) child.kill("SIGKILL");
  }
}

function row(name: string, r: Result) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return [
    `${name}`,
    `  delivered   ${r.received} of ${r.expected} (${((r.received / r.expected) * 100).toFixed(1)}%), ${r.perSecond.toFixed(0)} msg/s`,
    `  latency     p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   max ${r.max.toFixed(1)} ms`,
    `  server CPU  ${r.serverCpuPercent.toFixed(0)}% of one core (run + ${DRAIN_MS / 1_000} s drain), ${r.serverCpuMsPerThousand.toFixed(2)} ms per 1,000 delivered; client processes ${r.clientCpuPercent.toFixed(0)}%`,
    `  memory      ${kb(r.rssPerConnection)} RSS, ${kb(r.heapPerConnection)} heap per connection`,
  ].join("\n");
}

console.log(
  `fanout: ${CLIENTS} WebSocket clients on one topic in ${PROCESSES} client process(es), ${RATE} chat messages/s for ${SECONDS} s, loopback\n` +
    `plenary side: bench server process from the real modules (RealtimeHub + Fanout, coalescing ${INTERVAL_MS} ms); no chat feature in the product yet\n` +
    `load average at start ${loadavg().map((l) => l.toFixed(1)).join(" ")} (other work on this machine skews latency; CPU per message less so)\n`,
);
const plenary = await measure("plenary");
console.log(row("plenary fan-out", plenary));
console.log(`  fan-out     ${JSON.stringify(plenary.stats)}\n`);
const socketio = await measure("socketio");
console.log(row("socket.io 4 room broadcast (baseline)", socketio));
const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));
console.log(
  `\nratios (plenary / socket.io): delivered/s ${ratio(plenary.perSecond, socketio.perSecond)}, ` +
    `p50 ${ratio(plenary.p50, socketio.p50)}, p99 ${ratio(plenary.p99, socketio.p99)}, ` +
    `server CPU ${ratio(plenary.serverCpuPercent, socketio.serverCpuPercent)}, ` +
    `server CPU per delivered message ${ratio(plenary.serverCpuMsPerThousand, socketio.serverCpuMsPerThousand)}, ` +
    `RSS/connection ${ratio(plenary.rssPerConnection, socketio.rssPerConnection)}`,
);
console.log(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
