/** Signed playback links, the per-viewer playlist rewrite (key, URIs) and Range parsing. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseRange, PlaybackSigner, rewritePlaylist, storedPathOf } from "./playback.ts";

const PLAYLIST = [
  "#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD",
  '#EXT-X-MAP:URI="init.mp4"', '#EXT-X-KEY:METHOD=AES-128,URI="plenary-key"',
  "#EXTINF:2.000000,", "seg_0000.m4s", "#EXTINF:2.000000,", "seg_0001.m4s", "#EXTINF:2.000000,", "seg_0002.m4s", "#EXTINF:1.500000,", "seg_0003.m4s",
  "#EXT-X-ENDLIST", "",
].join("\n");

describe("playback links", () => {
  it("verifies its own tokens, refuses tampered, foreign and expired ones", () => {
    const signer = new PlaybackSigner(randomBytes(32));
    const token = signer.sign("rec-1", "watch", Date.now() + 60_000);
    expect(signer.verify(token)).toEqual({ recordingId: "rec-1", scope: "watch" });
    expect(() => signer.verify(token.replace("watch", "download"))).toThrow(/invalid or has expired/);
    expect(() => new PlaybackSigner(randomBytes(32)).verify(token)).toThrow(/invalid/);
    expect(() => signer.verify(signer.sign("rec-1", "watch", Date.now() - 1_000))).toThrow(/expired/);
    expect(() => signer.verify("a.b.c")).toThrow(/invalid/);
  });

  it("maps only known file names into the store", () => {
    expect(storedPathOf("seg_0012.m4s")).toBe("hls/seg_0012.m4s");
    expect(storedPathOf("program.mp4")).toBe("program.mp4");
    expect(storedPathOf("../keys/jwt-keys.json")).toBeNull();
    expect(storedPathOf("tracks")).toBeNull();
    expect(storedPathOf("chapters.vtt")).toBe("chapters.vtt");
    expect(storedPathOf("original.mp4")).toBeNull();
  });

  it("rewrites URIs and the key, keeping every segment and the media sequence", async () => {
    const whole = await rewritePlaylist(PLAYLIST, { keyPlaceholder: "plenary-key", keyUri: "key", uriOf: async (f) => `https://s3/${f}?sig` });
    expect(whole).toContain('#EXT-X-MAP:URI="https://s3/init.mp4?sig"');
    expect(whole).toContain('#EXT-X-KEY:METHOD=AES-128,URI="key"');
    expect(whole.match(/^https:\/\/s3\/seg_\d+\.m4s\?sig$/gm)).toHaveLength(4);
    expect(whole.trim().endsWith("#EXT-X-ENDLIST")).toBe(true);
    expect(whole).toContain("#EXT-X-MEDIA-SEQUENCE:0");
  });

  it("parses single byte ranges", () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=50-500", 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange("bytes=100-", 100)).toBe("invalid");
    expect(parseRange("bytes=0-1,5-6", 100)).toBe("invalid");
  });
});
