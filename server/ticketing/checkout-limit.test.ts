import { describe, expect, it } from "vitest";
import { CheckoutLimiter } from "./checkout-limit.ts";

describe("CheckoutLimiter", () => {
  it("allows a minute's allowance at once, then one per refill interval, per buyer and per IP", () => {
    const limiter = new CheckoutLimiter({ perIpPerMinute: 4, perBuyerPerMinute: 2 });
    const t0 = 1_000_000;
    expect(limiter.take("10.0.0.1", "ada", t0)).toBe(0);
    expect(limiter.take("10.0.0.1", "ada", t0)).toBe(0);
    // Ada's two are used: one more comes back in 30 s.
    expect(limiter.take("10.0.0.1", "ada", t0)).toBe(30);
    expect(limiter.take("10.0.0.1", "ada", t0 + 10_000)).toBe(20);
    expect(limiter.take("10.0.0.1", "ADA", t0 + 30_000)).toBe(0);
    // Refused attempts took nothing from the address, which is full again after 30 s: 3 left.
    expect(limiter.take("10.0.0.1", "bob", t0 + 30_000)).toBe(0);
    expect(limiter.take("10.0.0.1", "cy", t0 + 30_000)).toBe(0);
    expect(limiter.take("10.0.0.1", "di", t0 + 30_000)).toBe(0);
    expect(limiter.take("10.0.0.1", "ed", t0 + 30_000)).toBe(15);
    expect(limiter.take("10.0.0.2", "ed", t0 + 30_000)).toBe(0);
  });
});
