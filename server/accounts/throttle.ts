/**
 * Limits on log-in, sign-up and reset: per IP address (requests in a window) and per
 * account (failed log-ins in a window, then a pause that doubles each time). In memory:
 * one server process holds them; a restart forgets them, which only relaxes limits.
 */
const WINDOW_MS = 15 * 60_000;

type Entry = { count: number; windowStart: number; lockedUntil: number; lockouts: number };

export class Throttle {
  // Counters by key ("ip:1.2.3.4", "account:a@b.c").
  readonly #entries = new Map<string, Entry>();
  readonly #maxPerIp: number;
  readonly #maxFailures: number;

  constructor(options: { maxPerIp: number; maxFailures: number }) {
    this.#maxPerIp = options.maxPerIp;
    this.#maxFailures = options.maxFailures;
  }

  /** Counts a request from an IP; returns seconds to wait when over the limit, else 0. */
  hitIp(ip: string, now = Date.now()): number {
    const entry = this.#entry(`ip:${ip}`, now);
    entry.count += 1;
    return entry.count > this.#maxPerIp ? Math.ceil((entry.windowStart + WINDOW_MS - now) / 1000) : 0;
  }

  /** Seconds the account must wait before another log-in attempt, 0 when it may try. */
  accountWait(account: string, now = Date.now()): number {
    const entry = this.#entries.get(`account:${account}`);
    return entry && entry.lockedUntil > now ? Math.ceil((entry.lockedUntil - now) / 1000) : 0;
  }

  /** A failed log-in: past the limit the account pauses, 1 minute, then 2, 4, ... */
  failure(account: string, now = Date.now()): void {
    const entry = this.#entry(`account:${account}`, now);
    entry.count += 1;
    if (entry.count >= this.#maxFailures) {
      entry.lockedUntil = now + 60_000 * 2 ** Math.min(entry.lockouts, 6);
      entry.lockouts += 1;
      entry.count = 0;
    }
  }

  /**
   * Counts an e-mail about an account (reset link, "you already have an account"); false
   * past the per-account limit, when the caller should quietly send nothing.
   */
  allowMail(account: string, now = Date.now()): boolean {
    const entry = this.#entry(`mail:${account}`, now);
    entry.count += 1;
    return entry.count <= this.#maxFailures;
  }

  success(account: string): void {
    this.#entries.delete(`account:${account}`);
  }

  #entry(key: string, now: number): Entry {
    let entry = this.#entries.get(key);
    if (!entry || (now - entry.windowStart > WINDOW_MS && entry.lockedUntil <= now)) {
      entry = { count: 0, windowStart: now, lockedUntil: 0, lockouts: entry?.lockouts ?? 0 };
      this.#entries.set(key, entry);
      if (this.#entries.size > 100_000) this.#sweep(now);
    }
    return entry;
  }

  // Keeps memory bounded under a flood of distinct keys.
  #sweep(now: number) {
    for (const [key, entry] of this.#entries) {
      if (now - entry.windowStart > WINDOW_MS && entry.lockedUntil <= now) this.#entries.delete(key);
    }
  }
}
