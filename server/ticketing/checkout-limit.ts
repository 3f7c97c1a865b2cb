/**
 * How often checkouts may be started: a token bucket per IP address and one per buyer (the
 * account, or a guest's e-mail address), each holding a minute's allowance and refilled
 * evenly. A checkout holds seats, so an unthrottled caller could keep a sold-out event's
 * seats held forever; a bucket lets a person retry a few times at once and then slows them.
 * In memory, like the accounts throttle: one process holds it and a restart forgets it.
 */
import { AppError } from "../errors.ts";

type Bucket = { tokens: number; at: number };

/** Buckets kept before full ones (idle for a minute or more) are forgotten. */
const PRUNE_AT = 10_000;

export class CheckoutLimiter {
  // Buckets by "ip:<address>" or "buyer:<id or e-mail>".
  readonly #buckets = new Map<string, Bucket>();
  // Allowance per minute for IP and buyer buckets.
  readonly #perIp: number;
  readonly #perBuyer: number;

  constructor(limits: { perIpPerMinute: number; perBuyerPerMinute: number }) {
    this.#perIp = limits.perIpPerMinute;
    this.#perBuyer = limits.perBuyerPerMinute;
  }

  /**
   * Counts one attempt against both buckets, or none when either is empty; returns the
   * seconds until both allow one again (0: go ahead).
   */
  take(ip: string, buyer: string, now = Date.now()): number {
    const checks = [
      { key: `ip:${ip}`, perMinute: this.#perIp },
      { key: `buyer:${buyer.toLowerCase()}`, perMinute: this.#perBuyer },
    ].map((c) => ({ ...c, bucket: this.#refilled(c.key, c.perMinute, now) }));
    // Less a hair before rounding up, so float noise (20.000000001) does not add a second.
    const wait = Math.max(...checks.map((c) => (c.bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - c.bucket.tokens) * 60) / c.perMinute - 1e-6)))));
    if (wait > 0) return wait;
    for (const c of checks) c.bucket.tokens -= 1;
    return 0;
  }

  #refilled(key: string, perMinute: number, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= PRUNE_AT) this.#prune(now);
      bucket = { tokens: perMinute, at: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * perMinute);
    bucket.at = now;
    return bucket;
  }

  #prune(now: number) {
    for (const [key, bucket] of this.#buckets) if (now - bucket.at >= 60_000) this.#buckets.delete(key);
  }
}

export function checkoutRateLimited(seconds: number): AppError {
  return AppError.rateLimited(`Too many checkout attempts; try again in ${seconds} second${seconds === 1 ? "" : "s"}`);
}
