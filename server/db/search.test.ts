import { describe, expect, it } from "vitest";
import { fts5Match, searchWords } from "./search.ts";

const fts5 = (text: string) => {
  const words = searchWords(text);
  return words.length > 0 ? fts5Match(words) : null;
};

describe("event search words", () => {
  it("turns words into required prefix terms", () => {
    expect(fts5("WebRTC summit")).toBe('"webrtc"* "summit"*');
    expect(fts5("Café, 2026!")).toBe('"café"* "2026"*');
  });

  it("drops FTS5 and tsquery operators and quotes, so no input is a syntax error", () => {
    expect(fts5('title: "a" OR (b) NEAR -c ^d * & | !')).toBe('"title"* "a"* "or"* "b"* "near"* "c"* "d"*');
    expect(fts5('"*^-()&|!:')).toBeNull();
    expect(fts5("   ")).toBeNull();
  });

  it("keeps at most twelve words", () => {
    expect(searchWords("a b c d e f g h i j k l m n")).toHaveLength(12);
  });
});
