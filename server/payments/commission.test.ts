import { describe, expect, it } from "vitest";
import { commissionFor } from "./commission.ts";

describe("commissionFor", () => {
  it("takes basis points of the amount, rounding half a minor unit up", () => {
    expect(commissionFor(6_000, 500)).toBe(300); // 5 % of €60.00
    expect(commissionFor(1_999, 250)).toBe(50); // 49.975 → 50
    expect(commissionFor(1_980, 250)).toBe(50); // 49.5 → 50
    expect(commissionFor(1_979, 250)).toBe(49); // 49.475 → 49
    expect(commissionFor(0, 500)).toBe(0);
    expect(commissionFor(12_345, 0)).toBe(0);
    expect(commissionFor(12_345, 10_000)).toBe(12_345);
  });

  it("refuses amounts and rates that cannot be money or a rate", () => {
    expect(() => commissionFor(10.5, 100)).toThrow(RangeError);
    expect(() => commissionFor(-1, 100)).toThrow(RangeError);
    expect(() => commissionFor(100, 10_001)).toThrow(RangeError);
    expect(() => commissionFor(100, 2.5)).toThrow(RangeError);
  });
});
