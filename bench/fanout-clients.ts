/**
 * The client side of bench/fanout.ts, as its own process: opens one connection per cookie
 * (Plenary: `/ws` with the attendee's session cookie, then `chat.join` of the session
 * channel; socket.io: a room join), and lets the first few of them publish: each sends chat
 * messages in its turn of a global schedule, so all publishers together send `rate` a second.
 *
 * A message's text carries its number and send time; latency is measured from that send time
 * to each listener's receipt, on the machine's wall clock (performance.timeOrigin + now),
 * which all processes on one host share. Both sides' frames are read raw with one regular
 * expression instead of JSON.parse (a Plenary batch holds several messages), so the client
 * processes, which share the machine with the server, spend little of it and the same on
 * either side.
 */
import WebSocket from "ws";

export type ClientsRequest =
  | {
      type: "connect";
      kind: "plenary" | "socketio";
      url: string;
      channel: string;
      /** One per connection (Plenary); socket.io connections carry none. */
      cookies: (string | null)[];
      /** Global publisher numbers this process's first connections play, in order. */
      publishers: number[];
      /** Publishers in all processes. */
      publisherCount: number;
    }
  | { type: "run"; rate: number; seconds: number; drainMs: number };

export type ClientsReply =
  | { type: "connected"; count: number }
  | {
      type: "report";
      latencies: Float64Array;
      received: number;
      /** Frames the messages came in. */
      frames: number;
      published: number;
      /** Sends the server accepted, and refusals by error code. */
      accepted: number;
      refused: Record<string, number>;
      /** `sys.resync` pushes (a slow consumer lost messages) and connections the server closed, by code. */
      resyncs: number;
      closed: Record<string, number>;
      cpuMs: number;
      wallMs: number;
    };

const now = () => performance.timeOrigin + performance.now();
const reply = (message: ClientsReply) => process.send!(message);
const TEXT = /"text":"bench (\d+) (\d+\.\d+) /g;

let latencies = new Float64Array(1 << 20);
let received = 0;
// Frames that carried bench messages.
let frames = 0;
let accepted = 0;
let resyncs = 0;
const refused: Record<string, number> = {};
const closed: Record<string, number> = {};
// Senders of this process's publishers, by global publisher number.
const senders = new Map<number, (text: string) => void>();
// Publishers in all processes (from the connect request).
let publisherCount = 1;
const closers: (() => void)[] = [];

function record(sentAt: number, at: number) {
  if (received === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[received++] = at - sentAt;
}

/** Records every bench message a pushed frame carries (a Plenary batch carries several). */
function readFrame(text: string, at: number) {
  let carried = 0;
  for (const match of text.matchAll(TEXT)) {
    record(Number(match[2]), at);
    carried += 1;
  }
  if (carried > 0) frames += 1;
}

async function inBatches(count: number, open: (i: number) => Promise<void>) {
  // Bounded concurrency: thousands of simultaneous handshakes overflow the listen backlog.
  for (let done = 0; done < count; ) {
    const batch = Math.min(200, count - done);
    await Promise.all(Array.from({ length: batch }, (_, i) => open(done + i)));
    done += batch;
  }
}

function openPlenary(url: string, cookie: string, channel: string): Promise<(text: string) => void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { perMessageDeflate: false, headers: { cookie, origin: url } });
    let nextId = 1;
    const send = (text: string) => ws.send(JSON.stringify({ t: "chat.send", id: ++nextId, channel, text }));
    ws.once("error", reject);
    ws.once("open", () => ws.send(JSON.stringify({ t: "chat.join", id: 1, channel })));
    ws.on("close", (code) => void (closed[code] = (closed[code] ?? 0) + 1));
    ws.on("message", (data) => {
      const at = now();
      const text = data.toString();
      if (text.startsWith('{"t":"ok"')) {
        if (text.startsWith('{"t":"ok","id":1,')) resolve(send);
        else accepted += 1;
        return;
      }
      if (text.startsWith('{"t":"error"')) {
        const { id, code } = JSON.parse(text) as { id: number | null; code: string };
        if (id === 1) reject(new Error(`chat.join refused: ${text}`));
        else refused[code] = (refused[code] ?? 0) + 1;
        return;
      }
      if (text.startsWith('{"t":"sys.resync"')) resyncs += 1;
      readFrame(text, at);
    });
    closers.push(() => ws.terminate());
  });
}

/**
 * A socket.io client on a plain WebSocket (engine.io 4 and socket.io 5 packets as text): the
 * same raw-frame reading as the Plenary side, so neither side's client costs more than the
 * other's and the ratio prices the servers. `0{…}` open, `40` connect, `2`/`3` ping and pong,
 * `42[event, data]` an event, `42<id>[…]` one that wants an ack, answered `43<id>[…]`.
 */
function openSocketIo(url: string, channel: string): Promise<(text: string) => void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    let nextId = 1;
    const send = (text: string) => ws.send(`42${++nextId}${JSON.stringify(["chat", { channel, text }])}`);
    ws.once("error", reject);
    ws.on("close", (code) => void (closed[code] = (closed[code] ?? 0) + 1));
    ws.on("message", (data) => {
      const at = now();
      const text = data.toString();
      if (text === "2") return ws.send("3");
      if (text.startsWith("0{")) return ws.send("40");
      if (text.startsWith("40")) return ws.send(`421${JSON.stringify(["join", channel])}`);
      if (text.startsWith("431[")) return resolve(send);
      if (text.startsWith("43")) return void (accepted += 1);
      if (text.startsWith("44")) return reject(new Error(`socket.io refused the connection: ${text}`));
      readFrame(text, at);
    });
    closers.push(() => ws.terminate());
  });
}

process.on("message", async (message: ClientsRequest) => {
  if (message.type === "connect") {
    const { kind, url, channel, cookies, publishers } = message;
    publisherCount = message.publisherCount;
    await inBatches(cookies.length, async (i) => {
      const send = kind === "plenary" ? await openPlenary(url, cookies[i]!, channel) : await openSocketIo(url, channel);
      if (i < publishers.length) senders.set(publishers[i], send);
    });
    reply({ type: "connected", count: cookies.length });
  } else if (message.type === "run") {
    received = 0;
    frames = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let published = 0;
    const total = message.rate * message.seconds;
    // Message n (1-based) is due at (n - 1) / rate s and is sent by publisher (n - 1) mod publisherCount.
    // Paced against the start time, so timer drift does not lower the rate; it ends after `total`.
    if (senders.size > 0) {
      await new Promise<void>((resolve) => {
        let n = 0;
        const tick = () => {
          const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * message.rate) + 1);
          while (n < due) {
            n += 1;
            const send = senders.get((n - 1) % publisherCount);
            if (!send) continue;
            send(`bench ${n} ${now().toFixed(3)} Thanks for the talk, a question from the floor about scaling`);
            published += 1;
          }
          if (n >= total) return resolve();
          setTimeout(tick, Math.max(1, started + (n * 1_000) / message.rate - performance.now()));
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
      frames,
      published,
      accepted,
      refused,
      resyncs,
      closed,
      cpuMs: (used.user + used.system) / 1_000,
      wallMs: performance.now() - started,
    });
  }
});
process.on("disconnect", () => {
  for (const close of closers) close();
  process.exit(0);
});
