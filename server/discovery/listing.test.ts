import { describe, expect, it } from "vitest";
import { ftsQuery } from "./listing.ts";

describe("ftsQuery", () => {
  it("turns words into required prefix terms", () => {
    expect(ftsQuery("WebRTC summit")).toBe('"webrtc"* "summit"*');
    expect(ftsQuery("Café, 2026!")).toBe('"café"* "2026"*');
  });

  it("drops FTS5 operators and quotes, so no input is a syntax error", () => {
    expect(ftsQuery('title: "a" OR (b) NEAR -c ^d *')).toBe('"title"* "a"* "or"* "b"* "near"* "c"* "d"*');
    expect(ftsQuery('"*^-()')).toBeNull();
    expect(ftsQuery("   ")).toBeNull();
  });
});
