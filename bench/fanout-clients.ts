/**
 * The client side of bench/fanout.ts, as its own process: opens `count` subscribers to one
 * topic (Plenary's /ws or socket.io), and in the process told to publish, one more
 * connection that sends chat messages at a fixed rate. Latency is measured from the
 * publisher's send time to each subscriber's receipt, on the machine's wall clock
 * (performance.timeOrigin + now), which all processes on one host share.
 */
import { io as connectSocketIo, type Socket } from "socket.io-client";
import WebSocket from "ws";

export type ClientsRequest =
  | { type: "connect"; kind: "plenary" | "socketio"; url: string; count: number; topic: string; publisher: boolean }
  | { type: "run"; rate: number; seconds: number; drainMs: number };

export type ClientsReply =
  | { type: "connected"; count: number }
  | { type: "report"; latencies: Float64Array; received: number; published: number; cpuMs: number; wallMs: number };

const now = () => performance.timeOrigin + performance.now();
const reply = (message: ClientsReply) => process.send!(message);

let latencies = new Float64Array(1 << 20);
let received = 0;
let publish: ((n: number, sentAt: number) => void) | null = null;
const closers: (() => void)[] = [];

function record(sentAt: number, at: number) {
  if (received === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[received++] = at - sentAt;
}

async function inBatches(count: number, open: () => Promise<void>) {
  // Bounded concurrency: thousands of simultaneous handshakes overflow the listen backlog.
  for (let done = 0; done < count; ) {
    const batch = Math.min(200, count - done);
    await Promise.all(Array.from({ length: batch }, open));
    done += batch;
  }
}

function openPlenary(url: string, topic: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/ws`, { perMessageDeflate: false });
    ws.once("error", reject);
    ws.once("open", () => ws.send(JSON.stringify({ t: "bench.join", id: 1, topic })));
    ws.on("message", (data) => {
      const at = now();
      const frame = JSON.parse(data.toString());
      if (frame.t === "ok" && frame.id === 1) return resolve(ws);
      const frames = frame.t === "batch" ? frame.frames : [frame];
      for (const f of frames) if (f.t === "chat.message") record(f.sentAt, at);
    });
    closers.push(() => ws.terminate());
  });
}

function openSocketIo(url: string, topic: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocketIo(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    socket.once("connect_error", reject);
    socket.once("connect", () => socket.emit("join", topic, () => resolve(socket)));
    socket.on("chat.message", (m: { sentAt: number }) => record(m.sentAt, now()));
    closers.push(() => socket.disconnect());
  });
}

process.on("message", async (message: ClientsRequest) => {
  if (message.type === "connect") {
    const { kind, url, count, topic } = message;
    await inBatches(count, async () => void (kind === "plenary" ? await openPlenary(url, topic) : await openSocketIo(url, topic)));
    if (message.publisher) {
      if (kind === "plenary") {
        const ws = new WebSocket(`${url}/ws`, { perMessageDeflate: false });
        await new Promise<void>((resolve) => ws.once("open", () => resolve()));
        closers.push(() => ws.terminate());
        publish = (n, sentAt) => ws.send(JSON.stringify({ t: "bench.chat", topic, n, sentAt, text: `message ${n} from the stage` }));
      } else {
        const socket = connectSocketIo(url, { transports: ["websocket"], forceNew: true, reconnection: false });
        await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
        closers.push(() => socket.disconnect());
        publish = (n, sentAt) => socket.emit("chat", { topic, n, sentAt, text: `message ${n} from the stage` });
      }
    }
    reply({ type: "connected", count });
  } else if (message.type === "run") {
    received = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let published = 0;
    if (publish) {
      const send = publish;
      const total = message.rate * message.seconds;
      // Paced against the start time, so timer drift does not lower the rate.
      await new Promise<void>((resolve) => {
        const tick = () => {
          const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * message.rate) + 1);
          while (published < due) send(++published, now());
          if (published >= total) return resolve();
          setTimeout(tick, Math.max(1, started + (published * 1_000) / message.rate - performance.now()));
        };
        tick();
      });
    } else {
      await new Promise((r) => setTimeout(r, message.seconds * 1_000));
    }
    await new Promise((r) => setTimeout(r, message.drainMs));
    const used = process.cpuUsage(cpu);
    reply({
      type: "report",
      latencies: latencies.slice(0, received),
      received,
      published,
      cpuMs: (used.user + used.system) / 1_000,
      wallMs: performance.now() - started,
    });
  }
});
process.on("disconnect", () => {
  for (const close of closers) close();
  process.exit(0);
});
