/** Door codes: the alphabet has no look-alikes, typing is forgiving, and codes are spread evenly. */
import { describe, expect, it } from "vitest";
import { formatShortCode, newShortCode, normalizeShortCode, SHORT_CODE_ALPHABET } from "./short-code.ts";

describe("door codes", () => {
  it("are eight characters with no 0, O, 1, I or L", () => {
    expect(SHORT_CODE_ALPHABET).not.toMatch(/[0O1IL]/);
    for (let i = 0; i < 200; i++) expect(newShortCode()).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
  });

  it("use every letter of the alphabet about equally often", () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) for (const c of newShortCode()) seen.set(c, (seen.get(c) ?? 0) + 1);
    expect(seen.size).toBe(SHORT_CODE_ALPHABET.length);
    // 32,000 letters over 31: about 1,032 each; a biased generator would be far off.
    for (const n of seen.values()) expect(n).toBeGreaterThan(850);
  });

  it("accept lower case, spaces and the dash they are printed with, and nothing else", () => {
    expect(normalizeShortCode(" 7k3m-q9xt ")).toBe("7K3MQ9XT");
    expect(normalizeShortCode(formatShortCode("7K3MQ9XT"))).toBe("7K3MQ9XT");
    expect(formatShortCode("7K3MQ9XT")).toBe("7K3M-Q9XT");
    expect(normalizeShortCode("7K3M-Q9X")).toBeNull();
    expect(normalizeShortCode("7K3M-Q9X0")).toBeNull();
    expect(normalizeShortCode("PLN1.eyJhbGciOi")).toBeNull();
  });
});
