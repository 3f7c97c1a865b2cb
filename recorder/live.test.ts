/**
 * The live program through a real mediasoup worker: an ffmpeg test pattern publishes into a
 * room; the stream goes to a local RTMP receiver (ffmpeg listening) and to live HLS at once;
 * a segment plays while it is produced; a destination whose ingest is down is reported and
 * retried while the other keeps streaming; what the receiver got is H.264 + AAC. When the
 * camera on the program goes, the program switches to another without a break.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../server/log.ts";
import { Sfu } from "../sfu/Sfu.ts";
import { deadIngest, startRtmpReceiver } from "../test/e2e/streaming-support.ts";
import { publishTestPattern, type TestPattern } from "../test/support/test-pattern.ts";
import { findFfmpeg, probe, run } from "./ffmpeg.ts";
import { LiveStream } from "./live-stream.ts";

const log = createLogger("silent");
const tools = findFfmpeg();
const work = mkdtempSync(path.join(tmpdir(), "plenary-live-"));
let sfu: Sfu;
const patterns: TestPattern[] = [];

beforeAll(async () => {
  sfu = await Sfu.create({ workers: 1, listenIp: "127.0.0.1", rtcPort: 0, log });
});
afterAll(async () => {
  await Promise.all(patterns.map((p) => p.stop()));
  sfu?.close();
  rmSync(work, { recursive: true, force: true });
});

async function until<T>(what: string, probeFn: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probeFn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("live stream", () => {
  it("pushes the program to RTMP and live HLS, and retries a dead ingest while the other streams", async () => {
    const { room, peer } = await sfu.join("live-1", { identity: "speaker", name: "Speaker", grants: { canPublish: true, canSubscribe: true, hidden: false } });
    patterns.push(await publishTestPattern(room, peer));
    await new Promise((r) => setTimeout(r, 500));
    const receiver = await startRtmpReceiver(path.join(work, "received.flv"));
    const hlsDir = path.join(work, "hls");
    const stream = await LiveStream.start({
      room, dir: hlsDir, ffmpeg: tools.ffmpeg, log,
      width: 320, height: 240, fps: 15, videoKbps: 400, retryBackoffMs: 300,
      destinations: [
        { id: "good", name: "Local ingest", url: `${receiver.url}/${receiver.key}` },
        { id: "dead", name: "Down ingest", url: `${await deadIngest()}/dead-key` },
      ],
    });
    const failures: Error[] = [];
    stream.on("failed", (e) => failures.push(e));

    // Live HLS: a rolling playlist whose segments play while the stream runs.
    const playlist = path.join(hlsDir, "index.m3u8");
    const segment = await until("two live segments", () => {
      if (!existsSync(playlist)) return undefined;
      const segments = readFileSync(playlist, "utf8").split("\n").filter((l) => l.endsWith(".ts"));
      return segments.length >= 2 ? segments.at(-1) : undefined;
    });
    expect(readFileSync(playlist, "utf8")).not.toContain("#EXT-X-ENDLIST");
    // A copy: the live segment leaves the disk a few seconds later.
    const copy = path.join(work, "segment.ts");
    copyFileSync(path.join(hlsDir, segment), copy);
    const played = await probe(tools.ffprobe, copy);
    expect(played.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    await run(tools.ffmpeg, ["-v", "error", "-i", copy, "-f", "null", "-"]);

    const health = await until("the good ingest live, the dead one retried", () => {
      const h = stream.health;
      const good = h.destinations.find((d) => d.id === "good")!;
      const dead = h.destinations.find((d) => d.id === "dead")!;
      return good.state === "live" && good.bitrateKbps > 0 && dead.reconnects >= 2 ? h : undefined;
    });
    const dead = health.destinations.find((d) => d.id === "dead")!;
    expect(["retrying", "connecting"]).toContain(dead.state);
    expect(dead.lastError).toBeTruthy();
    expect(dead.lastError).not.toContain("dead-key");
    expect(health.destinations.find((d) => d.id === "good")!.reconnects).toBe(0);
    expect(health.frames).toBeGreaterThan(0);
    await until("the receiver file to grow", () => (existsSync(receiver.file) && statSync(receiver.file).size > 50_000) || undefined);

    await stream.stop();
    await receiver.exited;
    expect(failures).toEqual([]);
    expect(readFileSync(playlist, "utf8")).toContain("#EXT-X-ENDLIST");
    const received = await probe(tools.ffprobe, receiver.file);
    expect(received.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(Number(received.format.duration)).toBeGreaterThan(2);
  }, 120_000);

  it("switches the program to another camera when the one on it leaves, without a break", async () => {
    const publisher = { canPublish: true, canSubscribe: true, hidden: false };
    const first = await sfu.join("live-2", { identity: "first", name: "First", grants: publisher });
    const firstPattern = await publishTestPattern(first.room, first.peer);
    patterns.push(firstPattern);
    const second = await sfu.join("live-2", { identity: "second", name: "Second", grants: publisher });
    patterns.push(await publishTestPattern(second.room, second.peer, { audio: false, size: "160x120" }));
    await new Promise((r) => setTimeout(r, 500));
    const hlsDir = path.join(work, "hls-2");
    const stream = await LiveStream.start({ room: first.room, dir: hlsDir, ffmpeg: tools.ffmpeg, log, width: 320, height: 240, fps: 15, videoKbps: 300, destinations: [] });
    const failures: Error[] = [];
    stream.on("failed", (e) => failures.push(e));
    expect(stream.health.programPeer).toBe(first.peer.id);
    await until("frames encoded", () => stream.health.frames > 15 || undefined);

    await firstPattern.stop();
    first.peer.close();
    await until("the program on the second camera", () => stream.health.programPeer === second.peer.id || undefined);
    const framesAtSwitch = stream.health.frames;
    await until("frames of the second camera", () => stream.health.frames > framesAtSwitch + 30 || undefined);
    // The newest segment (the second camera on the program) decodes.
    const playlist = readFileSync(path.join(hlsDir, "index.m3u8"), "utf8");
    const newest = playlist.split("\n").filter((l) => l.endsWith(".ts")).at(-1)!;
    const copy = path.join(work, "after-switch.ts");
    copyFileSync(path.join(hlsDir, newest), copy);
    await run(tools.ffmpeg, ["-v", "error", "-i", copy, "-f", "null", "-"]);
    await stream.stop();
    expect(failures).toEqual([]);
  }, 120_000);
});
