/**
 * Who is listening to which chat channel, and delivery that respects blocks. A message goes
 * through the fan-out (serialized once, coalesced under load) unless someone listening is
 * on either side of a block with its author; then it is serialized once and sent to every
 * listener but them.
 */
import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { DB } from "../db/schema.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { Fanout } from "../realtime/fanout.ts";
import { userTopic } from "../notifications/Notifier.ts";
import type { Push } from "../realtime/protocol.ts";
import { blockPeers } from "./store.ts";

export const chatTopic = (channel: string) => `chat:${channel}`;

export type ChatRoomsOptions = {
  /** Users whose block peers stay cached; the least recently used reload from the database (config `chat.block_cache_users`). Default 10,000. */
  blockCacheSize?: number;
};

export class ChatRooms {
  readonly #fanout: Fanout;
  readonly #db: Kysely<DB>;
  // Listeners by channel: connection id → connection.
  readonly #listeners = new Map<string, Map<string, RealtimeConnection>>();
  // Channels each user listens to on some connection, so a loss of access re-checks only theirs.
  readonly #channelsOf = new Map<string, Set<string>>();
  // Block peers by user, loaded on first use, kept current by noteBlock(), bounded (LRU).
  readonly #blocks: LRUCache<string, Set<string>>;

  constructor(db: Kysely<DB>, fanout: Fanout, options: ChatRoomsOptions = {}) {
    this.#db = db;
    this.#fanout = fanout;
    this.#blocks = new LRUCache({ max: options.blockCacheSize ?? 10_000 });
  }

  /** Users whose block peers are cached now. */
  get cachedBlockUsers(): number {
    return this.#blocks.size;
  }

  join(connection: RealtimeConnection, channel: string): void {
    let listeners = this.#listeners.get(channel);
    if (!listeners) this.#listeners.set(channel, (listeners = new Map()));
    if (!listeners.has(connection.id)) {
      listeners.set(connection.id, connection);
      void connection.closed.then(() => this.leave(connection, channel));
    }
    if (connection.user) {
      let channels = this.#channelsOf.get(connection.user.id);
      if (!channels) this.#channelsOf.set(connection.user.id, (channels = new Set()));
      channels.add(channel);
    }
    this.#fanout.subscribe(connection, chatTopic(channel));
  }

  leave(connection: RealtimeConnection, channel: string): void {
    const listeners = this.#listeners.get(channel);
    listeners?.delete(connection.id);
    if (listeners?.size === 0) this.#listeners.delete(channel);
    this.#fanout.unsubscribe(connection, chatTopic(channel));
    const userId = connection.user?.id;
    const channels = userId ? this.#channelsOf.get(userId) : undefined;
    if (userId && channels && ![...(listeners?.values() ?? [])].some((c) => c.user?.id === userId)) {
      channels.delete(channel);
      if (channels.size === 0) this.#channelsOf.delete(userId);
    }
  }

  /** The user's connections and the channels each listens to. */
  subscriptionsOf(userId: string): { connection: RealtimeConnection; channel: string }[] {
    const found: { connection: RealtimeConnection; channel: string }[] = [];
    for (const channel of this.#channelsOf.get(userId) ?? []) {
      for (const connection of this.#listeners.get(channel)?.values() ?? []) {
        if (connection.user?.id === userId) found.push({ connection, channel });
      }
    }
    return found;
  }

  /** Users on either side of a block with this one. */
  async blockPeers(userId: string): Promise<Set<string>> {
    let peers = this.#blocks.get(userId);
    if (!peers) {
      peers = await blockPeers(this.#db, userId);
      this.#blocks.set(userId, peers);
    }
    return peers;
  }

  /** Records a block (or its end) in the cache; the caller wrote the row. */
  noteBlock(blocker: string, blocked: string, blocking: boolean): void {
    for (const [a, b] of [[blocker, blocked], [blocked, blocker]]) {
      const peers = this.#blocks.get(a);
      if (!peers) continue;
      if (blocking) peers.add(b);
      else this.#blocks.delete(a); // The other side may still block: reload.
    }
  }

  /**
   * Tells a user's open tabs (subscribed to their user topic by `notify.subscribe`) of a
   * private message or its deletion, so their "Messages" list updates without listening to
   * every channel.
   */
  notifyPrivateMessage(peerId: string, frame: Push): void {
    this.#fanout.publish(userTopic(peerId), frame, "durable");
  }

  /** Sends a durable push to a channel's listeners, hiding it from those blocked with `authorId`. */
  async publish(channel: string, frame: Push, authorId: string | null): Promise<void> {
    const peers = authorId ? await this.blockPeers(authorId) : new Set<string>();
    const listeners = [...(this.#listeners.get(channel)?.values() ?? [])];
    if (peers.size === 0 || !listeners.some((c) => c.user && peers.has(c.user.id))) {
      this.#fanout.publish(chatTopic(channel), frame, "durable");
      return;
    }
    const text = JSON.stringify(frame);
    for (const connection of listeners) if (!connection.user || !peers.has(connection.user.id)) connection.sendText(text);
  }
}
