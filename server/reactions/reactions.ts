/**
 * Floating emoji reactions. Each user may send a few a second (a token bucket per user);
 * the server adds them up per session and pushes one ephemeral `reaction.burst` with the
 * counts every interval, so 5,000 people clicking at once cost each client one small frame
 * per interval. Reactions are not stored.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { requireSessionFor } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { TokenBucket } from "../realtime/token-bucket.ts";

export const REACTION_EMOJIS = ["👍", "❤️", "😂", "🎉", "👏", "😮", "🔥"] as const;

export type ReactionOptions = {
  /** How often counts are pushed, in ms. Default 250. */
  intervalMs?: number;
  /** Reactions a second per user, and the burst allowed. Default 3 and 6. */
  perSecond?: number;
  burst?: number;
};

const topic = (sessionId: string) => `reactions:${sessionId}`;

export class ReactionAggregator {
  readonly #fanout: Fanout;
  readonly #intervalMs: number;
  readonly #perSecond: number;
  readonly #burst: number;
  // Counts waiting for the next push, by session.
  readonly #counts = new Map<string, Map<string, number>>();
  // Rate limits by user; emptied every minute so idle users cost nothing.
  #buckets = new Map<string, TokenBucket>();
  readonly #flushTimer: NodeJS.Timeout;
  readonly #sweepTimer: NodeJS.Timeout;

  constructor(fanout: Fanout, options: ReactionOptions = {}) {
    this.#fanout = fanout;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#perSecond = options.perSecond ?? 3;
    this.#burst = options.burst ?? 6;
    this.#flushTimer = setInterval(() => this.flush(), this.#intervalMs).unref();
    this.#sweepTimer = setInterval(() => (this.#buckets = new Map()), 60_000).unref();
  }

  /** Counts one reaction; false when the user is over their rate. */
  add(userId: string, sessionId: string, emoji: string): boolean {
    let bucket = this.#buckets.get(userId);
    if (!bucket) this.#buckets.set(userId, (bucket = new TokenBucket(this.#perSecond, this.#burst)));
    if (!bucket.take()) return false;
    let counts = this.#counts.get(sessionId);
    if (!counts) this.#counts.set(sessionId, (counts = new Map()));
    counts.set(emoji, (counts.get(emoji) ?? 0) + 1);
    return true;
  }

  flush(): void {
    for (const [sessionId, counts] of this.#counts) {
      this.#fanout.publish(topic(sessionId), { t: "reaction.burst", sessionId, counts: Object.fromEntries(counts) }, "ephemeral");
    }
    this.#counts.clear();
  }

  close(): void {
    clearInterval(this.#flushTimer);
    clearInterval(this.#sweepTimer);
  }
}

export function registerReactions(router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout; aggregator: ReactionAggregator }): void {
  const { db, fanout, aggregator } = deps;
  // Sessions each connection subscribed to: sending needs no database read after that.
  const joined = new WeakMap<object, Set<string>>();

  router.on("reaction.subscribe", {
    schema: z.strictObject({ sessionId: z.uuid() }),
    action: "reaction.send",
    access: "user",
    async handle({ sessionId }, { connection }) {
      await requireSessionFor(db, connection, sessionId);
      fanout.subscribe(connection, topic(sessionId));
      let sessions = joined.get(connection);
      if (!sessions) joined.set(connection, (sessions = new Set()));
      sessions.add(sessionId);
      return { emojis: REACTION_EMOJIS };
    },
  });

  router.on("reaction.send", {
    schema: z.strictObject({ sessionId: z.uuid(), emoji: z.enum(REACTION_EMOJIS) }),
    action: "reaction.send",
    access: "user",
    handle({ sessionId, emoji }, { connection }) {
      if (!joined.get(connection)?.has(sessionId)) throw AppError.forbidden("not_subscribed", "Send reaction.subscribe for this session first");
      if (!aggregator.add(connection.user!.id, sessionId, emoji)) throw AppError.rateLimited("Too many reactions; slow down");
      return {};
    },
  });
}
