/**
 * Token buckets kept in the database (`checkout_buckets`), for limits a restart must not reset:
 * checkout starts (ticketing/checkout-limit.ts) and wrong guesses at short secrets, access
 * codes and promo codes (discovery/access-codes.ts, ticketing/promo-guard.ts). A bucket holds
 * up to `capacity` tokens and refills `perMinute` a minute, evenly; a take removes one.
 *
 * Two ways to use one: take before acting and refuse when the take went below zero (checkout
 * starts, where the caller's rollback gives a refused take back), or look before acting and
 * take only when the guess was wrong (codes: a right guess costs nothing, and while a bucket is
 * empty even the right code is refused, so guessing cannot go on in the background).
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { DB } from "./schema.ts";

export type Bucket = {
  /** "ip:<address>", "code:ip:<address>", "promo:event:<id>", ... */
  key: string;
  /** Refill per minute. */
  perMinute: number;
  /** Most tokens it holds. Default: perMinute (a minute's allowance). */
  capacity?: number;
};

type Db = Kysely<DB> | Transaction<DB>;

/** How often a take also deletes full buckets, per process. */
const PRUNE_EVERY_MS = 60_000;
let prunedAt = 0;

/**
 * Takes one token from each bucket (a new one starts full). Returns the seconds until every
 * bucket has a token again when a take went below zero, else 0.
 */
export async function takeTokens(db: Db, buckets: Bucket[], now = Date.now()): Promise<number> {
  // An old bucket refills for the time since its last take (never backwards, should the clock
  // be set back), up to its capacity.
  const taken = await db
    .insertInto("checkout_buckets")
    .values(buckets.map((b) => ({ key: b.key, per_minute: b.perMinute, capacity: b.capacity ?? null, tokens: (b.capacity ?? b.perMinute) - 1, at: now })))
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        tokens: sql`min(coalesce(excluded.capacity, excluded.per_minute), checkout_buckets.tokens + max(0, excluded.at - checkout_buckets.at) * excluded.per_minute / 60000.0) - 1`,
        per_minute: sql`excluded.per_minute`,
        capacity: sql`excluded.capacity`,
        at: sql`excluded.at`,
      }),
    )
    .returning(["tokens", "per_minute"])
    .execute();
  if (now - prunedAt >= PRUNE_EVERY_MS) {
    prunedAt = now;
    await pruneFullBuckets(db, now);
  }
  return Math.max(0, ...taken.map((b) => secondsUntil(b.tokens, 0, b.per_minute)));
}

/** Seconds until every bucket holds at least one token; 0 when each has one now (or does not exist: full). */
export async function bucketWait(db: Db, buckets: Bucket[], now = Date.now()): Promise<number> {
  const rows = await db.selectFrom("checkout_buckets").select(["tokens", "per_minute", "at"]).where("key", "in", buckets.map((b) => b.key)).execute();
  return Math.max(0, ...rows.map((r) => secondsUntil(r.tokens + (Math.max(0, now - r.at) * r.per_minute) / 60_000, 1, r.per_minute)));
}

/** Buckets that have refilled to their capacity are the same as none: their rows go. */
async function pruneFullBuckets(db: Db, now: number): Promise<void> {
  await db
    .deleteFrom("checkout_buckets")
    .where(sql<boolean>`tokens + max(0, ${now} - at) * per_minute / 60000.0 >= coalesce(capacity, per_minute)`)
    .execute();
}

// Less a hair before rounding up, so float noise (20.000000001) does not add a second.
function secondsUntil(tokens: number, needed: number, perMinute: number): number {
  if (tokens > needed - 1e-9) return 0;
  return Math.max(1, Math.ceil(((needed - tokens) * 60) / perMinute - 1e-6));
}
