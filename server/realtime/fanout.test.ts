import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RealtimeConnection } from "./connection.ts";
import { Fanout } from "./fanout.ts";

/** A connection that records what it was sent and whose send buffer the test sets. */
class FakeConnection implements RealtimeConnection {
  static #next = 0;
  readonly id = `c${++FakeConnection.#next}`;
  readonly address = "";
  readonly user = null;
  readonly texts: string[] = [];
  bufferedBytes = 0;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  constructor() {
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }
  get frames() {
    return this.texts.map((t) => JSON.parse(t) as { t: string; [k: string]: unknown });
  }
  send(frame: object) {
    this.sendText(JSON.stringify(frame));
  }
  sendText(text: string) {
    this.texts.push(text);
  }
  close() {
    this.#resolveClosed();
  }
  actFor() {}
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup(count: number, topic = "session:s1") {
  // A budget of one write: every frame after an interval's first one waits for the flush.
  const fanout = new Fanout({ intervalMs: 100, slowConsumerBytes: 1_000, directSendsPerInterval: 1 });
  const clients = Array.from({ length: count }, () => new FakeConnection());
  for (const c of clients) fanout.subscribe(c, topic);
  return { fanout, clients };
}

describe("Fanout", () => {
  it("sends a quiet topic's frame at once, serialized once for every subscriber", () => {
    const { fanout, clients } = setup(3);
    const outsider = new FakeConnection();
    fanout.subscribe(outsider, "session:other");
    const stringify = vi.spyOn(JSON, "stringify");
    expect(fanout.publish("session:s1", { t: "chat.message", text: "hi" })).toBe(3);
    expect(stringify).toHaveBeenCalledTimes(1);
    stringify.mockRestore();
    for (const c of clients) expect(c.frames).toEqual([{ t: "chat.message", text: "hi" }]);
    // Same string instance for everyone: nothing was serialized per client.
    expect(new Set(clients.map((c) => c.texts[0])).size).toBe(1);
    expect(outsider.texts).toEqual([]);
  });

  it("coalesces frames under load into one batch per client per interval, in order", () => {
    const { fanout, clients } = setup(2);
    fanout.publish("session:s1", { t: "chat.message", n: 1 });
    for (let n = 2; n <= 5; n++) fanout.publish("session:s1", { t: n % 2 ? "chat.message" : "reaction", n }, n % 2 ? "durable" : "ephemeral");
    expect(clients[0].frames).toHaveLength(1);
    vi.advanceTimersByTime(100);
    for (const c of clients) {
      expect(c.frames).toHaveLength(2);
      expect(c.frames[1]).toEqual({
        t: "batch",
        frames: [{ t: "reaction", n: 2 }, { t: "chat.message", n: 3 }, { t: "reaction", n: 4 }, { t: "chat.message", n: 5 }],
      });
    }
    // One frame in the next interval goes out alone, not wrapped in a batch.
    fanout.publish("session:s1", { t: "chat.message", n: 6 });
    vi.advanceTimersByTime(100);
    expect(clients[0].frames[2]).toEqual({ t: "chat.message", n: 6 });
    // After a quiet interval the window closes and the next frame is immediate again.
    vi.advanceTimersByTime(100);
    fanout.publish("session:s1", { t: "chat.message", n: 7 });
    expect(clients[0].frames[3]).toEqual({ t: "chat.message", n: 7 });
    expect(fanout.stats).toMatchObject({ published: 7, batches: 2 });
  });

  it("sends at once while the interval's writes stay within the budget, then waits, keeping order", () => {
    const fanout = new Fanout({ intervalMs: 100, directSendsPerInterval: 6 });
    const clients = Array.from({ length: 3 }, () => new FakeConnection());
    for (const c of clients) fanout.subscribe(c, "session:small");
    for (let n = 1; n <= 4; n++) fanout.publish("session:small", { t: "chat.message", n });
    // Two frames fit the budget of six writes; the third and fourth wait and are batched.
    for (const c of clients) expect(c.frames).toEqual([{ t: "chat.message", n: 1 }, { t: "chat.message", n: 2 }]);
    vi.advanceTimersByTime(100);
    for (const c of clients) {
      expect(c.frames.at(-1)).toEqual({ t: "batch", frames: [{ t: "chat.message", n: 3 }, { t: "chat.message", n: 4 }] });
    }
    // A new interval has a fresh budget, but a frame never overtakes one still waiting.
    fanout.publish("session:small", { t: "chat.message", n: 5 });
    expect(clients[0].frames).toHaveLength(4);
  });

  it("merges a client's topics into one batch in publish order", () => {
    const fanout = new Fanout({ intervalMs: 100, directSendsPerInterval: 1 });
    const both = new FakeConnection();
    const one = new FakeConnection();
    fanout.subscribe(both, "event:e1");
    fanout.subscribe(both, "session:s1");
    fanout.subscribe(one, "session:s1");
    fanout.publish("session:s1", { t: "x", n: 0 });
    fanout.publish("event:e1", { t: "x", n: 1 });
    fanout.publish("session:s1", { t: "x", n: 2 });
    fanout.publish("event:e1", { t: "x", n: 3 });
    vi.advanceTimersByTime(100);
    expect(both.frames.at(-1)).toEqual({ t: "batch", frames: [1, 2, 3].map((n) => ({ t: "x", n })) });
    expect(one.frames.at(-1)).toEqual({ t: "x", n: 2 });
  });

  it("drops ephemeral frames for a slow consumer and owes it one resync for durable ones", () => {
    const { fanout, clients } = setup(2);
    const [slow, healthy] = clients;
    slow.bufferedBytes = 50_000;
    fanout.publish("session:s1", { t: "reaction", e: "👏" }, "ephemeral");
    fanout.publish("session:s1", { t: "chat.message", n: 1 });
    fanout.publish("session:s1", { t: "chat.message", n: 2 });
    vi.advanceTimersByTime(300);
    expect(slow.texts).toEqual([]);
    expect(healthy.frames.map((f) => f.t)).toEqual(["reaction", "batch"]);

    // It catches up: exactly one resync, even across several intervals.
    slow.bufferedBytes = 0;
    vi.advanceTimersByTime(500);
    expect(slow.frames).toEqual([{ t: "sys.resync", topics: ["session:s1"] }]);
    fanout.publish("session:s1", { t: "chat.message", n: 3 });
    vi.advanceTimersByTime(100);
    expect(slow.frames.at(-1)).toEqual({ t: "chat.message", n: 3 });
    expect(slow.frames.filter((f) => f.t === "sys.resync")).toHaveLength(1);
    expect(fanout.stats).toMatchObject({ droppedEphemeral: 1, resyncs: 1 });
  });

  it("owes no resync to a slow consumer that only missed ephemeral frames", () => {
    const { fanout, clients } = setup(1);
    clients[0].bufferedBytes = 50_000;
    fanout.publish("session:s1", { t: "typing" }, "ephemeral");
    fanout.publish("session:s1", { t: "typing" }, "ephemeral");
    vi.advanceTimersByTime(100);
    clients[0].bufferedBytes = 0;
    vi.advanceTimersByTime(500);
    expect(clients[0].texts).toEqual([]);
    expect(fanout.stats.droppedEphemeral).toBe(2);
  });

  it("forgets a connection when it closes, and a topic when its last subscriber leaves", async () => {
    const { fanout, clients } = setup(2);
    fanout.subscribe(clients[0], "event:e1");
    expect(fanout.topicsOf(clients[0]).sort()).toEqual(["event:e1", "session:s1"]);
    clients[0].close();
    await clients[0].closed;
    expect(fanout.subscriberCount("session:s1")).toBe(1);
    expect(fanout.subscriberCount("event:e1")).toBe(0);
    expect(fanout.topicsOf(clients[0])).toEqual([]);
    fanout.unsubscribe(clients[1], "session:s1");
    expect(fanout.publish("session:s1", { t: "x" })).toBe(0);
    expect(clients[1].texts).toEqual([]);
  });
});
