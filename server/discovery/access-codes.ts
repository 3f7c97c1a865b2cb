/**
 * Access codes open invite-only events and hidden ticket types, and organizers pick them, so
 * they may be short: wrong guesses are counted per IP address in a database bucket
 * (db/buckets.ts), whichever route checks the code (the event page, offer, checkout, waitlist,
 * images, speakers, sponsors, ratings, link previews). Past the limit every code from that
 * address is refused, the right one too, with 429 and Retry-After (link previews ignore the
 * code instead); a restart does not lift the pause.
 */
import type { Kysely, Transaction } from "kysely";
import { bucketWait, takeTokens, type Bucket } from "../db/buckets.ts";
import type { DB } from "../db/schema.ts";
import { RateLimitedError } from "../errors.ts";

/** Wrong codes an address may send in a row before it pauses. */
export const MAX_WRONG_CODES = 10;
/** Then one more try every 6 minutes (10 an hour), whatever the code. */
const REFILL_PER_MINUTE = MAX_WRONG_CODES / 60;

type Db = Kysely<DB> | Transaction<DB>;

const bucketOf = (ip: string): Bucket => ({ key: `code:ip:${ip}`, perMinute: REFILL_PER_MINUTE, capacity: MAX_WRONG_CODES });

export const accessCodeGuard = {
  /** Seconds this address must wait before its codes are checked again; 0 when it may try. */
  wait(db: Db, ip: string): Promise<number> {
    return bucketWait(db, [bucketOf(ip)]);
  },

  /** Throws 429 (with Retry-After) while the address is paused. */
  async assertMayTry(db: Db, ip: string): Promise<void> {
    const seconds = await this.wait(db, ip);
    if (seconds > 0) throw new RateLimitedError(`Too many wrong access codes; try again in ${minutes(seconds)}`, seconds);
  },

  /** Counts a code that opened nothing. */
  async wrong(db: Db, ip: string): Promise<void> {
    await takeTokens(db, [bucketOf(ip)]);
  },
};

/** "3 minutes", "1 minute", "40 seconds": how long a paused caller waits, in words. */
export function minutes(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}
