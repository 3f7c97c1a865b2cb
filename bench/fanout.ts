/**
 * Chat in one big session: `--clients` attendees, each with their own account, ticket and
 * session cookie, connected to the real Plenary server (`node server/cli.ts start`, see
 * bench/fanout-server.ts) from separate client processes on loopback, every one of them in the
 * session's chat (`chat.join session:<id>`); `--publishers` of them send `chat.send` in turn,
 * `--rate` messages a second in all, for `--seconds`. Each message is checked against the
 * sender's ticket, stored in SQLite and fanned out to every listener, the sender included.
 *
 * The same broadcast through socket.io (a room, io.to(room).emit of a message of the same
 * shape, nothing stored or checked) runs in the same run as the baseline. Prints delivered
 * messages per second, p50/p99 delivery latency from the send time carried in the text, server
 * CPU (the server process's /proc stat, run plus drain) and memory per connection (RSS before
 * and after connecting), and the ratios. Printed, never asserted.
 *
 * Publishers: the realtime limit is 30 frames a second per connection (burst 60) and chat has
 * no per-person limit except slow mode, which is off unless a moderator turns it on; 10
 * attendees at 2 messages a second each stay far inside both, so nothing is throttled.
 *
 *   node bench/fanout.ts [--clients 5000] [--rate 20] [--seconds 10] [--publishers 10] [--processes 2] [--only plenary|socketio]
 */
import { type ChildProcess, fork } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { ClientsReply, ClientsRequest } from "./fanout-clients.ts";
import type { ServerReply } from "./fanout-ipc.ts";
import { cpuMs, type PlenaryAudience, residentBytes, scrapeMetrics, startPlenary } from "./fanout-server.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "5000" },
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "10" },
    publishers: { type: "string", default: "10" },
    processes: { type: "string", default: "2" },
    only: { type: "string" },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const PUBLISHERS = Math.min(Number(values.publishers), CLIENTS);
const PROCESSES = Number(values.processes);
// One side alone ("plenary" or "socketio"), to look into it; no ratios then.
const ONLY = values.only;
if (ONLY !== undefined && ONLY !== "plenary" && ONLY !== "socketio") throw new Error("--only takes plenary or socketio");
const DRAIN_MS = 2_000;
// Bounds on every wait, so a stuck child ends the run instead of hanging it.
const CONNECT_TIMEOUT_MS = 10 * 60_000;
const RUN_TIMEOUT_MS = SECONDS * 1_000 + DRAIN_MS + 120_000;

type Kind = "plenary" | "socketio";
type Result = {
  published: number;
  accepted: number;
  refused: Record<string, number>;
  received: number;
  frames: number;
  expected: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  resyncs: number;
  closed: Record<string, number>;
  serverCpuPercent: number;
  /** Server CPU time per 1,000 delivered messages: comparable even on a machine busy with other work. */
  serverCpuMsPerThousand: number;
  /** Server CPU time per message sent: the sender's path plus its fan-out. */
  serverCpuMsPerSent: number;
  clientCpuPercent: number;
  rssPerConnection: number;
  connectSeconds: number;
  /** Server CPU per connection while they connected (and, on Plenary, joined the chat). */
  connectCpuMs: number;
};

function next<T extends { type: string }>(child: ChildProcess, type: T["type"], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
      clearTimeout(timer);
    };
    const onMessage = (message: T) => {
      if (message.type !== type) return;
      done();
      resolve(message);
    };
    const onExit = (code: number | null) => (done(), reject(new Error(`bench process exited (${code}) while waiting for ${type}`)));
    const timer = setTimeout(() => (done(), reject(new Error(`no ${type} from a bench process within ${timeoutMs / 1_000} s`))), timeoutMs);
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function ask<T extends { type: string }>(child: ChildProcess, request: ClientsRequest, type: T["type"], timeoutMs = 60_000): Promise<T> {
  const reply = next<T>(child, type, timeoutMs);
  child.send(request);
  return reply;
}

const file = (name: string) => new URL(name, import.meta.url).pathname;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (records: Record<string, number>[]) =>
  records.reduce<Record<string, number>>((all, r) => {
    for (const [k, v] of Object.entries(r)) all[k] = (all[k] ?? 0) + v;
    return all;
  }, {});

// What is running, so a signal or an error stops all of it.
const running = { children: new Set<ChildProcess>(), plenary: null as PlenaryAudience | null };

async function stopAll(): Promise<void> {
  for (const child of running.children) if (child.connected) child.disconnect();
  await pause(500);
  for (const child of running.children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  running.children.clear();
  const plenary = running.plenary;
  running.plenary = null;
  await plenary?.server.stop();
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

function forkChild(path: string): ChildProcess {
  const child = fork(file(path), [], { serialization: "advanced", stdio: "inherit" });
  running.children.add(child);
  return child;
}

/** The server under test: its URL, process id, the channel, and one cookie per client (or none). */
type Target = { url: string; pid: number; channel: string; cookies: (string | null)[] };

async function plenaryTarget(): Promise<Target> {
  const seeding = performance.now();
  running.plenary = await startPlenary(CLIENTS);
  const { server, channel, cookies } = running.plenary;
  console.log(`  (plenary: server started and ${CLIENTS} attendees seeded in ${((performance.now() - seeding) / 1_000).toFixed(1)} s)`);
  return { url: server.url, pid: server.process.pid!, channel, cookies };
}

async function socketIoTarget(): Promise<Target> {
  const server = forkChild("./fanout-socketio-server.ts");
  const { port, pid } = await next<Extract<ServerReply, { type: "ready" }>>(server, "ready", 60_000);
  return { url: `http://127.0.0.1:${port}`, pid, channel: "session:bench", cookies: Array.from({ length: CLIENTS }, () => null) };
}

async function measure(kind: Kind): Promise<{ result: Result; metrics: Map<string, number> | null }> {
  try {
    const target = kind === "plenary" ? await plenaryTarget() : await socketIoTarget();
    await pause(1_000);
    const rssBefore = residentBytes(target.pid);
    const clients = Array.from({ length: PROCESSES }, () => forkChild("./fanout-clients.ts"));
    const connecting = performance.now();
    const connectCpuBefore = cpuMs(target.pid);
    let offset = 0;
    await Promise.all(
      clients.map((child, p) => {
        const count = Math.floor(CLIENTS / PROCESSES) + (p < CLIENTS % PROCESSES ? 1 : 0);
        const cookies = target.cookies.slice(offset, (offset += count));
        // Publisher j is the (j / PROCESSES)th connection of process j mod PROCESSES.
        const publishers = Array.from({ length: PUBLISHERS }, (_, j) => j).filter((j) => j % PROCESSES === p);
        const request: ClientsRequest = { type: "connect", kind, url: target.url, channel: target.channel, cookies, publishers, publisherCount: PUBLISHERS };
        return ask(child, request, "connected", CONNECT_TIMEOUT_MS);
      }),
    );
    const connectSeconds = (performance.now() - connecting) / 1_000;
    const connectCpuMs = (cpuMs(target.pid) - connectCpuBefore) / CLIENTS;
    await pause(1_000);
    const rssAfter = residentBytes(target.pid);

    const cpuBefore = cpuMs(target.pid);
    const started = performance.now();
    const reports = await Promise.all(
      clients.map((child) =>
        ask<Extract<ClientsReply, { type: "report" }>>(child, { type: "run", rate: RATE, seconds: SECONDS, drainMs: DRAIN_MS }, "report", RUN_TIMEOUT_MS),
      ),
    );
    const serverCpu = cpuMs(target.pid) - cpuBefore;
    const wallMs = performance.now() - started;
    const metrics = kind === "plenary" ? await scrapeMetrics(target.url) : null;

    const latencies = new Float64Array(reports.reduce((n, r) => n + r.received, 0));
    let at = 0;
    for (const r of reports) {
      latencies.set(r.latencies, at);
      at += r.received;
    }
    latencies.sort();
    const published = reports.reduce((n, r) => n + r.published, 0);
    const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? NaN;
    const result: Result = {
      published,
      accepted: reports.reduce((n, r) => n + r.accepted, 0),
      refused: sum(reports.map((r) => r.refused)),
      received: latencies.length,
      frames: reports.reduce((n, r) => n + r.frames, 0),
      expected: published * CLIENTS,
      perSecond: latencies.length / SECONDS,
      p50: quantile(0.5),
      p99: quantile(0.99),
      max: latencies.length ? latencies[latencies.length - 1] : NaN,
      resyncs: reports.reduce((n, r) => n + r.resyncs, 0),
      closed: sum(reports.map((r) => r.closed)),
      serverCpuPercent: (serverCpu / wallMs) * 100,
      serverCpuMsPerThousand: (serverCpu / Math.max(1, latencies.length)) * 1_000,
      serverCpuMsPerSent: serverCpu / Math.max(1, published),
      clientCpuPercent: reports.reduce((n, r) => n + (r.cpuMs / r.wallMs) * 100, 0),
      rssPerConnection: (rssAfter - rssBefore) / CLIENTS,
      connectSeconds,
      connectCpuMs,
    };
    return { result, metrics };
  } finally {
    await stopAll();
  }
}

function row(name: string, r: Result) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const refused = Object.entries(r.refused).map(([code, n]) => `${n} ${code}`).join(", ") || "none refused";
  const closed = Object.entries(r.closed).map(([code, n]) => `${n} × ${code}`).join(", ") || "none";
  return [
    `${name}`,
    `  sent        ${r.published} messages, ${r.accepted} accepted (${refused})`,
    `  delivered   ${r.received} of ${r.expected} (${((r.received / r.expected) * 100).toFixed(1)}%), ${r.perSecond.toFixed(0)} msg/s, in ${r.frames} frames (${(r.received / Math.max(1, r.frames)).toFixed(2)} messages a frame)`,
    `  latency     p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   max ${r.max.toFixed(1)} ms`,
    `  server CPU  ${r.serverCpuPercent.toFixed(0)}% of one core (run + ${DRAIN_MS / 1_000} s drain), ${r.serverCpuMsPerThousand.toFixed(2)} ms per 1,000 delivered, ${r.serverCpuMsPerSent.toFixed(2)} ms per message sent; client processes ${r.clientCpuPercent.toFixed(0)}%`,
    `  memory      ${kb(r.rssPerConnection)} RSS per connection; ${CLIENTS} connected in ${r.connectSeconds.toFixed(1)} s, ${r.connectCpuMs.toFixed(2)} ms server CPU each`,
    `  slow        ${r.resyncs} sys.resync, connections closed: ${closed}`,
  ].join("\n");
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(
  `fanout: ${CLIENTS} WebSocket clients in one session's chat, from ${PROCESSES} client process(es); ${PUBLISHERS} of them send ${RATE} chat messages/s in all for ${SECONDS} s; loopback\n` +
    `plenary side: the real server process (chat.join / chat.send, tickets checked, messages stored in SQLite)\n` +
    `load average at start ${load()} (other work on this machine skews latency; CPU per message less so)\n`,
);
try {
  let plenary: Result | null = null;
  let socketio: Result | null = null;
  if (ONLY !== "socketio") {
    const measured = await measure("plenary");
    plenary = measured.result;
    console.log(row("plenary chat (full path: access check, SQLite insert, fan-out)", plenary));
    const pick = (prefix: string) =>
      [...measured.metrics!].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => `${k.slice(prefix.length)} ${v}`).join(", ");
    console.log(`  server says ws_messages_total ${pick("plenary_ws_messages_total")}; ws_closed_total ${pick("plenary_ws_closed_total") || "none"}\n`);
  }
  if (ONLY !== "plenary") {
    socketio = (await measure("socketio")).result;
    console.log(row("socket.io 4 room broadcast (baseline)", socketio));
  }
  if (plenary && socketio) {
    const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));
    console.log(
      `\nratios (plenary / socket.io): delivered/s ${ratio(plenary.perSecond, socketio.perSecond)}, ` +
        `p50 ${ratio(plenary.p50, socketio.p50)}, p99 ${ratio(plenary.p99, socketio.p99)}, ` +
        `server CPU ${ratio(plenary.serverCpuPercent, socketio.serverCpuPercent)}, ` +
        `server CPU per delivered message ${ratio(plenary.serverCpuMsPerThousand, socketio.serverCpuMsPerThousand)}, ` +
        `RSS/connection ${ratio(plenary.rssPerConnection, socketio.rssPerConnection)}`,
    );
  }
  console.log(`load average at end ${load()}`);
} finally {
  await stopAll();
}
