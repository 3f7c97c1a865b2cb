/**
 * How often checkouts may be started: a token bucket per IP address and one per buyer (the
 * account, or a guest's e-mail address), each holding a minute's allowance and refilled
 * evenly. A checkout holds seats, so an unthrottled caller could keep a sold-out event's
 * seats held forever; a bucket lets a person retry a few times at once and then slows them.
 *
 * The buckets are rows of `checkout_buckets` (db/buckets.ts), so a restart does not hand out fresh
 * allowances. Both are taken by one upsert inside the transaction that places the order: a
 * refusal throws and rolls the take back with everything else, and so does an order that
 * fails (no seats held) or loses an Idempotency-Key race (the same attempt as the winner).
 */
import type { Transaction } from "kysely";
import { takeTokens } from "../db/buckets.ts";
import type { DB } from "../db/schema.ts";
import { RateLimitedError } from "../errors.ts";

/** The refusal, with the seconds until both buckets allow an attempt (for Retry-After). */
export class CheckoutRateLimited extends RateLimitedError {
  constructor(seconds: number) {
    super(`Too many checkout attempts; try again in ${seconds} second${seconds === 1 ? "" : "s"}`, seconds);
  }
}

export class CheckoutLimiter {
  // Allowance per minute for IP and buyer buckets.
  readonly #perIp: number;
  readonly #perBuyer: number;

  constructor(limits: { perIpPerMinute: number; perBuyerPerMinute: number }) {
    this.#perIp = limits.perIpPerMinute;
    this.#perBuyer = limits.perBuyerPerMinute;
  }

  /**
   * Counts one attempt against both buckets in the caller's transaction, or throws
   * CheckoutRateLimited when either is empty (the caller's rollback undoes the take).
   */
  async take(trx: Transaction<DB>, ip: string, buyer: string, now = Date.now()): Promise<void> {
    const wait = await takeTokens(trx, [
      { key: `ip:${ip}`, perMinute: this.#perIp },
      { key: `buyer:${buyer.toLowerCase()}`, perMinute: this.#perBuyer },
    ], now);
    if (wait > 0) throw new CheckoutRateLimited(wait);
  }
}
