/**
 * How often checkouts may be started: a token bucket per IP address and one per buyer (the
 * account, or a guest's e-mail address), each holding a minute's allowance and refilled
 * evenly. A checkout holds seats, so an unthrottled caller could keep a sold-out event's
 * seats held forever; a bucket lets a person retry a few times at once and then slows them.
 *
 * The buckets are rows of `checkout_buckets`, so a restart does not hand out fresh
 * allowances. Both are taken by one upsert inside the transaction that places the order: a
 * refusal throws and rolls the take back with everything else, and so does an order that
 * fails (no seats held) or loses an Idempotency-Key race (the same attempt as the winner).
 */
import { sql, type Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";

/** A bucket idle this long is full again, so its row can go. */
const FULL_AFTER_MS = 60_000;
/** How often a take also deletes full buckets. */
const PRUNE_EVERY_MS = 60_000;

/** The refusal, with the seconds until both buckets allow an attempt (for Retry-After). */
export class CheckoutRateLimited extends AppError {
  readonly retryAfterSeconds: number;

  constructor(seconds: number) {
    super("rate_limited", 429, `Too many checkout attempts; try again in ${seconds} second${seconds === 1 ? "" : "s"}`);
    this.retryAfterSeconds = seconds;
  }
}

export class CheckoutLimiter {
  // Allowance per minute for IP and buyer buckets.
  readonly #perIp: number;
  readonly #perBuyer: number;
  // When full buckets were last deleted (ms); 0: not yet by this process.
  #prunedAt = 0;

  constructor(limits: { perIpPerMinute: number; perBuyerPerMinute: number }) {
    this.#perIp = limits.perIpPerMinute;
    this.#perBuyer = limits.perBuyerPerMinute;
  }

  /**
   * Counts one attempt against both buckets in the caller's transaction, or throws
   * CheckoutRateLimited when either is empty (the caller's rollback undoes the take).
   */
  async take(trx: Transaction<DB>, ip: string, buyer: string, now = Date.now()): Promise<void> {
    const buckets = [
      { key: `ip:${ip}`, per_minute: this.#perIp },
      { key: `buyer:${buyer.toLowerCase()}`, per_minute: this.#perBuyer },
    ];
    // A new bucket starts full less this take; an old one refills for the time since its last
    // take (never backwards, should the clock be set back), up to a minute's allowance.
    const taken = await trx
      .insertInto("checkout_buckets")
      .values(buckets.map((b) => ({ ...b, tokens: b.per_minute - 1, at: now })))
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          tokens: sql`min(excluded.per_minute, checkout_buckets.tokens + max(0, excluded.at - checkout_buckets.at) * excluded.per_minute / 60000.0) - 1`,
          per_minute: sql`excluded.per_minute`,
          at: sql`excluded.at`,
        }),
      )
      .returning(["key", "tokens", "per_minute"])
      .execute();
    // Less a hair before rounding up, so float noise (20.000000001) does not add a second.
    const wait = Math.max(0, ...taken.map((b) => (b.tokens > -1e-9 ? 0 : Math.max(1, Math.ceil((-b.tokens * 60) / b.per_minute - 1e-6)))));
    if (wait > 0) throw new CheckoutRateLimited(wait);
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      await trx.deleteFrom("checkout_buckets").where("at", "<=", now - FULL_AFTER_MS).execute();
    }
  }
}
