/**
 * A real recording through a real mediasoup worker: an ffmpeg test pattern published into
 * a room, recorded by PlainTransport taps into ffmpeg (copy codec), packaged into the
 * program MP4 and encrypted fMP4 HLS; ffprobe checks duration, streams and the first
 * keyframe, and ffmpeg plays the HLS back. A killed ffmpeg fails the recording.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../server/log.ts";
import { Sfu } from "../sfu/Sfu.ts";
import { publishTestPattern, type TestPattern } from "../test/support/test-pattern.ts";
import { findFfmpeg, probe, run } from "./ffmpeg.ts";
import { KEY_URI_PLACEHOLDER, packageRecording } from "./package.ts";
import { SessionRecorder } from "./SessionRecorder.ts";

const log = createLogger("silent");
const tools = findFfmpeg();
const work = mkdtempSync(path.join(tmpdir(), "plenary-recorder-"));
let sfu: Sfu;
const patterns: TestPattern[] = [];
const publisher = { canPublish: true, canSubscribe: true, hidden: false };

beforeAll(async () => {
  sfu = await Sfu.create({ workers: 1, listenIp: "127.0.0.1", rtcPort: 0, log });
});
afterEach(async () => {
  await Promise.all(patterns.splice(0).map((p) => p.stop()));
});
afterAll(() => {
  sfu?.close();
  rmSync(work, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function roomWithPattern(name: string) {
  const { room, peer } = await sfu.join(name, { identity: `${name}-speaker`, name: "Speaker", grants: publisher });
  patterns.push(await publishTestPattern(room, peer));
  // Let media flow before the recording starts, as in a live session.
  await sleep(500);
  return room;
}

/** Probes the first video frame of `file`: is it a keyframe? */
async function firstFrameIsKey(file: string): Promise<boolean> {
  const out = await run(tools.ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_frames", "-read_intervals", "%+#1", "-show_entries", "frame=key_frame", "-of", "csv=p=0", file]);
  return out.trim().split("\n")[0].split(",")[0] === "1";
}

describe("recorder", () => {
  it("records a session copy-codec, packages program MP4 and encrypted HLS within 10% of its length", async () => {
    const room = await roomWithPattern("rec-ok");
    const dir = path.join(work, "ok");
    const recorder = await SessionRecorder.start({ room, dir, ffmpeg: tools.ffmpeg, minFreeBytes: 0, log });
    const failures: Error[] = [];
    recorder.on("failed", (e) => failures.push(e));
    await sleep(5_000);
    const manifest = await recorder.stop();
    expect(failures).toEqual([]);
    expect(manifest.tracks.map((t) => [t.kind, t.codec]).sort()).toEqual([["audio", "opus"], ["video", "vp8"]]);

    // Per-track files: copied as sent (VP8, Opus), the video starting on a keyframe.
    for (const track of manifest.tracks) {
      const info = await probe(tools.ffprobe, track.file);
      expect(info.streams[0].codec_name).toBe(track.codec);
      // Media, not just a header (under CPU load the pattern's own frame rate drops, so not more).
      expect(Number(info.format.duration)).toBeGreaterThan(1);
    }
    expect(await firstFrameIsKey(manifest.tracks.find((t) => t.kind === "video")!.file)).toBe(true);

    const packaged = await packageRecording(dir, manifest, { ...tools, segmentSeconds: 2, encrypt: true });
    const expected = manifest.durationMs;
    const program = path.join(packaged.dir, "program.mp4");
    const info = await probe(tools.ffprobe, program);
    expect(info.streams.map((s) => s.codec_type).sort()).toEqual(["audio", "video"]);
    expect(Math.abs(packaged.durationMs - expected) / expected).toBeLessThan(0.1);
    expect(await firstFrameIsKey(program)).toBe(true);
    expect(packaged.files).toEqual(expect.arrayContaining(["program.mp4", "poster.jpg", "hls/index.m3u8", "hls/init.mp4", "hls/seg_0000.m4s"]));

    // The playlist is encrypted with a key the server hands out; ffmpeg plays it given the key.
    const playlist = readFileSync(path.join(packaged.dir, "hls", "index.m3u8"), "utf8");
    expect(playlist).toMatch(new RegExp(`#EXT-X-KEY:METHOD=AES-128,URI="${KEY_URI_PLACEHOLDER}"`));
    expect(packaged.keyHex).toMatch(/^[0-9a-f]{32}$/);
    const playable = path.join(packaged.dir, "hls", "play.m3u8");
    const keyFile = path.join(work, "ok.key");
    writeFileSync(keyFile, Buffer.from(packaged.keyHex!, "hex"));
    writeFileSync(playable, playlist.replace(KEY_URI_PLACEHOLDER, keyFile));
    const progress = await run(tools.ffmpeg, ["-hide_banner", "-v", "error", "-allowed_extensions", "ALL", "-protocol_whitelist", "file,crypto", "-i", playable, "-f", "null", "-", "-progress", "pipe:1"]);
    const played = Math.max(...[...progress.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]) / 1000));
    expect(Math.abs(played - expected) / expected).toBeLessThan(0.1);
    // Without the key, the segments are not media.
    writeFileSync(keyFile, Buffer.alloc(16));
    await expect(run(tools.ffmpeg, ["-hide_banner", "-v", "error", "-allowed_extensions", "ALL", "-protocol_whitelist", "file,crypto", "-i", playable, "-f", "null", "-"])).rejects.toThrow();
  }, 180_000);

  it("marks the recording failed when a track's ffmpeg is killed midway", async () => {
    const room = await roomWithPattern("rec-killed");
    const recorder = await SessionRecorder.start({ room, dir: path.join(work, "killed"), ffmpeg: tools.ffmpeg, minFreeBytes: 0, log });
    const failed = new Promise<Error>((resolve) => recorder.once("failed", resolve));
    await sleep(1_000);
    expect(recorder.pids).toHaveLength(2);
    process.kill(recorder.pids[0], "SIGKILL");
    expect((await failed).message).toMatch(/ffmpeg exited/);
    await recorder.stop();
  });

  it("refuses to start without the free disk space it needs", async () => {
    const room = await roomWithPattern("rec-disk");
    await expect(SessionRecorder.start({ room, dir: path.join(work, "disk"), ffmpeg: tools.ffmpeg, minFreeBytes: Number.MAX_SAFE_INTEGER, log })).rejects.toThrow(/disk space/);
  });

  it("warns once when disk space runs low, then stops cleanly with readable tracks", async () => {
    const room = await roomWithPattern("rec-disk-low");
    // The file system's free space as the recorder's checks see it, lowered by the test.
    const MiB = 1024 ** 2;
    let free = 5_000 * MiB;
    const dir = path.join(work, "disk-low");
    const recorder = await SessionRecorder.start({
      room, dir, ffmpeg: tools.ffmpeg, log,
      minFreeBytes: 100 * MiB, warnFreeBytes: 200 * MiB, diskCheckMs: 200, freeBytes: async () => free,
    });
    const warnings: number[] = [];
    recorder.on("disklow", (bytes) => warnings.push(bytes));
    const stopped = new Promise((resolve) => recorder.once("stopped", resolve));
    // Let media reach the files first, so the stop has something to finalize.
    const camera = () => recorder.tracks.find((t) => t.kind === "video")?.file;
    for (let i = 0; i < 200 && (statSync(camera() ?? dir, { throwIfNoEntry: false })?.size ?? 0) < 20_000; i++) await sleep(100);
    free = 150 * MiB;
    await sleep(1_000);
    // One warning while above the stop line, not one per check; still recording.
    expect(warnings).toEqual([150 * MiB]);
    free = 90 * MiB;
    expect(await stopped).toBe("disk_low");
    expect(warnings).toEqual([150 * MiB]);
    const manifest = await recorder.stop();
    expect(manifest.tracks.length).toBe(2);
    for (const track of manifest.tracks) expect((await probe(tools.ffprobe, track.file)).streams.length).toBe(1);
  });
});
