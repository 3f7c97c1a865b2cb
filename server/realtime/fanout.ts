/**
 * Broadcast to many connections: topics (`session:<id>`, `event:<id>`) map to the
 * connections subscribed to them. A published frame is serialized once and goes out at
 * once while the socket writes of the current interval stay within `directSendsPerInterval`
 * (a quiet topic, a small room). Under load, frames wait for the end of the interval
 * (`intervalMs`) and are coalesced, so each client gets one frame per interval: the frame
 * itself when it is alone, else `{ t: "batch", frames: [...] }` in publish order. Frames
 * of one topic always arrive in publish order.
 *
 * A slow consumer (more than `slowConsumerBytes` unsent on its socket) is never waited
 * for: it misses ephemeral frames (reactions, typing), and instead of the durable ones
 * (chat) it later gets one `{ t: "sys.resync", topics: [...] }` and reloads those topics
 * from history. Memory per client stays bounded and nobody else is delayed.
 */
import type { RealtimeConnection } from "./connection.ts";
import type { Push } from "./protocol.ts";

/** Durable frames are state the client must not miss; ephemeral ones may be dropped. */
export type Delivery = "durable" | "ephemeral";

export type ResyncPush = { t: "sys.resync"; topics: string[] };
export type BatchPush = { t: "batch"; frames: Push[] };

export type FanoutOptions = {
  /** Longest a frame waits to be coalesced with the ones after it, in ms. Default 100. */
  intervalMs?: number;
  /** Unsent bytes above which a connection is a slow consumer. Default 1 MiB. */
  slowConsumerBytes?: number;
  /**
   * Socket writes per interval that may go out at once before frames start to wait for
   * the flush. The first frame of an interval always goes at once. Default 2,000.
   */
  directSendsPerInterval?: number;
};

export type FanoutStats = {
  published: number;
  /** Frames handed to sockets (a batch counts once). */
  sent: number;
  batches: number;
  droppedEphemeral: number;
  resyncs: number;
};

type Queued = { seq: number; text: string; durable: boolean };

type Topic = {
  name: string;
  subscribers: Set<Subscriber>;
  // Frames published during the current interval, waiting for the flush.
  queued: Queued[];
};

type Subscriber = {
  connection: RealtimeConnection;
  topics: Set<Topic>;
  // Topics whose durable frames this slow consumer missed; it is owed a resync for them.
  missed: Set<string>;
};

export class Fanout {
  readonly #intervalMs: number;
  readonly #slowBytes: number;
  readonly #directBudget: number;
  // Socket writes sent at once in the current interval.
  #directSends = 0;
  readonly #topics = new Map<string, Topic>();
  // Subscribers by connection id.
  readonly #subscribers = new Map<string, Subscriber>();
  // Topics with frames waiting for the flush.
  readonly #dirty = new Set<Topic>();
  // Slow consumers owed a resync; checked every interval until they catch up.
  readonly #owed = new Set<Subscriber>();
  // The interval timer; while it runs, new frames are coalesced rather than sent at once.
  #timer: NodeJS.Timeout | undefined;
  // Orders frames of different topics within one batch.
  #seq = 0;
  #closed = false;
  readonly #stats: FanoutStats = { published: 0, sent: 0, batches: 0, droppedEphemeral: 0, resyncs: 0 };

  constructor(options: FanoutOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 100;
    this.#slowBytes = options.slowConsumerBytes ?? 1_048_576;
    this.#directBudget = options.directSendsPerInterval ?? 2_000;
  }

  get stats(): Readonly<FanoutStats> {
    return { ...this.#stats };
  }

  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.subscribers.size ?? 0;
  }

  topicsOf(connection: RealtimeConnection): string[] {
    return [...(this.#subscribers.get(connection.id)?.topics ?? [])].map((t) => t.name);
  }

  /** Subscribes until unsubscribe() or the connection closes. Idempotent. */
  subscribe(connection: RealtimeConnection, topicName: string): void {
    if (this.#closed) return;
    let subscriber = this.#subscribers.get(connection.id);
    if (!subscriber) {
      subscriber = { connection, topics: new Set(), missed: new Set() };
      this.#subscribers.set(connection.id, subscriber);
      const added = subscriber;
      void connection.closed.then(() => this.#remove(added));
    }
    let topic = this.#topics.get(topicName);
    if (!topic) {
      topic = { name: topicName, subscribers: new Set(), queued: [] };
      this.#topics.set(topicName, topic);
    }
    topic.subscribers.add(subscriber);
    subscriber.topics.add(topic);
  }

  unsubscribe(connection: RealtimeConnection, topicName: string): void {
    const subscriber = this.#subscribers.get(connection.id);
    const topic = this.#topics.get(topicName);
    if (!subscriber || !topic) return;
    this.#leave(subscriber, topic);
    subscriber.missed.delete(topicName);
    if (subscriber.topics.size === 0) this.#remove(subscriber);
  }

  /** Sends a push to every subscriber of a topic; returns how many subscribers it had. */
  publish(topicName: string, frame: Push, delivery: Delivery = "durable"): number {
    const topic = this.#topics.get(topicName);
    if (!topic || this.#closed) return 0;
    this.#stats.published += 1;
    const queued: Queued = { seq: ++this.#seq, text: JSON.stringify(frame), durable: delivery === "durable" };
    const direct =
      topic.queued.length === 0 && (this.#directSends === 0 || this.#directSends + topic.subscribers.size <= this.#directBudget);
    if (direct) {
      const loss: Loss = queued.durable ? { durableTopics: [topic.name], ephemeral: 0 } : { durableTopics: [], ephemeral: 1 };
      for (const subscriber of topic.subscribers) this.#deliver(subscriber, queued.text, loss);
      this.#directSends += topic.subscribers.size;
    } else {
      topic.queued.push(queued);
      this.#dirty.add(topic);
    }
    this.#timer ??= this.#arm();
    return topic.subscribers.size;
  }

  /** Drops every subscription and pending frame. Safe to call twice. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#topics.clear();
    this.#subscribers.clear();
    this.#dirty.clear();
    this.#owed.clear();
  }

  #arm(): NodeJS.Timeout {
    const timer = setTimeout(() => this.#flush(), this.#intervalMs);
    timer.unref();
    return timer;
  }

  #flush() {
    this.#timer = undefined;
    this.#directSends = 0;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    // Texts by the set of dirty topics a subscriber is in, so each batch is joined once.
    const texts = new Map<string, Joined>();
    const visited = new Set<Subscriber>();
    for (const topic of dirty) {
      for (const subscriber of topic.subscribers) {
        if (visited.has(subscriber)) continue;
        visited.add(subscriber);
        const mine = dirty.length === 1 ? dirty : dirty.filter((t) => subscriber.topics.has(t));
        const key = mine.length === 1 ? mine[0].name : mine.map((t) => t.name).join("\n");
        let entry = texts.get(key);
        if (!entry) {
          entry = joinFrames(mine);
          texts.set(key, entry);
        }
        if (entry.count > 1) this.#stats.batches += 1;
        this.#deliver(subscriber, entry.text, entry.loss);
      }
    }
    for (const topic of dirty) topic.queued = [];
    for (const subscriber of this.#owed) if (!visited.has(subscriber)) this.#settle(subscriber);
    // Keep coalescing while traffic lasts or someone is owed a resync; go quiet otherwise.
    if (dirty.length > 0 || this.#owed.size > 0) this.#timer = this.#arm();
  }

  /** Sends `text` unless the subscriber is slow; a slow one loses it and is owed a resync for its durable topics. */
  #deliver(subscriber: Subscriber, text: string, loss: Loss) {
    if (subscriber.connection.bufferedBytes > this.#slowBytes) {
      for (const name of loss.durableTopics) subscriber.missed.add(name);
      this.#stats.droppedEphemeral += loss.ephemeral;
      if (subscriber.missed.size > 0) this.#owed.add(subscriber);
      return;
    }
    this.#settle(subscriber);
    subscriber.connection.sendText(text);
    this.#stats.sent += 1;
  }

  /** Sends the resync a caught-up subscriber is owed. */
  #settle(subscriber: Subscriber) {
    if (subscriber.missed.size === 0 || subscriber.connection.bufferedBytes > this.#slowBytes) return;
    const push: ResyncPush = { t: "sys.resync", topics: [...subscriber.missed] };
    subscriber.missed.clear();
    this.#owed.delete(subscriber);
    subscriber.connection.sendText(JSON.stringify(push));
    this.#stats.resyncs += 1;
  }

  #leave(subscriber: Subscriber, topic: Topic) {
    topic.subscribers.delete(subscriber);
    subscriber.topics.delete(topic);
    if (topic.subscribers.size === 0) {
      this.#topics.delete(topic.name);
      this.#dirty.delete(topic);
    }
  }

  #remove(subscriber: Subscriber) {
    for (const topic of [...subscriber.topics]) this.#leave(subscriber, topic);
    this.#owed.delete(subscriber);
    if (this.#subscribers.get(subscriber.connection.id) === subscriber) this.#subscribers.delete(subscriber.connection.id);
  }
}

/** What a slow consumer loses when it misses one send: a resync is owed for the durable topics. */
type Loss = { durableTopics: string[]; ephemeral: number };
type Joined = { text: string; count: number; loss: Loss };

/** One frame as is, several as a batch in publish order. */
function joinFrames(topics: Topic[]): Joined {
  const frames = topics.length === 1 ? topics[0].queued : topics.flatMap((t) => t.queued).sort((a, b) => a.seq - b.seq);
  const loss: Loss = {
    durableTopics: topics.filter((t) => t.queued.some((q) => q.durable)).map((t) => t.name),
    ephemeral: frames.filter((f) => !f.durable).length,
  };
  const text = frames.length === 1 ? frames[0].text : `{"t":"batch","frames":[${frames.map((f) => f.text).join(",")}]}`;
  return { text, count: frames.length, loss };
}
