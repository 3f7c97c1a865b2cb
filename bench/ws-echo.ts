/**
 * Request/reply round trips through Plenary's /ws layer (parse, validate, dispatch, reply)
 * against a bare `ws` echo server, both driven by the same 1,000 concurrent sockets on
 * loopback from this process. Prints throughput, p50/p99 latency and the ratio.
 *
 *   node bench/ws-echo.ts [--sockets 1000] [--seconds 5]
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { startServer } from "../test/support/server.ts";

const { values } = parseArgs({
  options: { sockets: { type: "string", default: "1000" }, seconds: { type: "string", default: "5" } },
});
const SOCKETS = Number(values.sockets);
const SECONDS = Number(values.seconds);

type Result = { roundTrips: number; perSecond: number; p50: number; p99: number };

async function drive(wsUrl: string): Promise<Result> {
  const sockets = await Promise.all(
    Array.from({ length: SOCKETS }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    })),
  );
  const latencies: number[] = [];
  let running = true;
  const loops = sockets.map((ws) => new Promise<void>((resolve) => {
    let id = 0;
    let sentAt = 0;
    const send = () => {
      if (!running) return resolve();
      id += 1;
      sentAt = performance.now();
      ws.send(JSON.stringify({ t: "sys.echo", id, data: "hello, plenary" }));
    };
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.id !== id) return; // the server's hello push
      latencies.push(performance.now() - sentAt);
      send();
    });
    send();
  }));
  const warmup = 1_000;
  await new Promise((r) => setTimeout(r, warmup));
  latencies.length = 0;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  const elapsed = (performance.now() - started) / 1_000;
  const count = latencies.length;
  running = false;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2_000))]);
  for (const ws of sockets) ws.terminate();
  const sorted = latencies.slice(0, count).sort((a, b) => a - b);
  return {
    roundTrips: count,
    perSecond: count / elapsed,
    p50: sorted[Math.floor(count * 0.5)] ?? NaN,
    p99: sorted[Math.floor(count * 0.99)] ?? NaN,
  };
}

async function startBareServer() {
  const child = spawn(process.execPath, [new URL("./bare-echo-server.ts", import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
  return { url: `ws://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

function row(name: string, r: Result) {
  return `${name.padEnd(22)} ${r.perSecond.toFixed(0).padStart(10)} rt/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  (${r.roundTrips} round trips)`;
}

const plenary = await startServer({
  env: {
    // The benchmark measures the protocol layer, not the per-client abuse limit.
    PLENARY_REALTIME_RATE_LIMIT_PER_SECOND: "1000000",
    PLENARY_REALTIME_RATE_LIMIT_BURST: "1000000",
  },
});
const bare = await startBareServer();
try {
  console.log(`ws-echo: ${SOCKETS} sockets, ${SECONDS} s each, closed-loop request/reply on loopback`);
  const baseline = await drive(bare.url);
  console.log(row("bare ws echo", baseline));
  const ours = await drive(plenary.url.replace("http", "ws") + "/ws");
  console.log(row("plenary /ws sys.echo", ours));
  console.log(`ratio (plenary / bare): ${(ours.perSecond / baseline.perSecond).toFixed(2)} of the bare throughput`);
} finally {
  bare.stop();
  await plenary.stop();
}
