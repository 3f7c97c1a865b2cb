/**
 * Access codes open invite-only events and hidden ticket types, and organizers pick them, so
 * they may be short: wrong guesses are counted per IP address, and past the limit codes from
 * that address are refused for a while (the API answers 429; link previews ignore the code).
 */
import { Throttle } from "../accounts/throttle.ts";
import { AppError } from "../errors.ts";

/** Wrong codes an address may send before it pauses (1 minute, then 2, 4, ...). */
export const MAX_WRONG_CODES = 10;

class AccessCodeGuard {
  // Only the per-key failure counter is used; the per-IP request limit is not.
  readonly #throttle = new Throttle({ maxPerIp: Number.MAX_SAFE_INTEGER, maxFailures: MAX_WRONG_CODES });

  /** Seconds this address must wait before its codes are checked again; 0 when it may try. */
  wait(ip: string): number {
    return this.#throttle.accountWait(`code:${ip}`);
  }

  /** Throws 429 while the address is paused. */
  assertMayTry(ip: string): void {
    if (this.wait(ip) > 0) throw AppError.rateLimited("Too many wrong access codes; wait a few minutes and try again");
  }

  wrong(ip: string): void {
    this.#throttle.failure(`code:${ip}`);
  }
}

/** One per process, shared by the event page's API, the event's images and the link-preview renderer. */
export const accessCodeGuard = new AccessCodeGuard();
