/**
 * The recorder on a disk that fills at once (a 40 MiB tmpfs, filled with fallocate): a
 * durable write fails and leaves the previous file whole; the disk check stops the
 * recording without throwing though its final manifest cannot be written, and the
 * manifest kept while recording lets recovery complete it once space is free. Mounting a
 * tmpfs needs root, which CI has.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../server/log.ts";
import { Sfu } from "../sfu/Sfu.ts";
import { publishTestPattern, type TestPattern } from "../test/support/test-pattern.ts";
import { isDiskFull, writeFileDurably, writeFileDurablySync } from "./durable-file.ts";
import { findFfmpeg } from "./ffmpeg.ts";
import { loadManifest } from "./recovery.ts";
import { type RecordingManifest, SessionRecorder } from "./SessionRecorder.ts";

const log = createLogger("silent");
const tools = findFfmpeg();
const root = mkdtempSync(path.join(tmpdir(), "plenary-disk-full-"));
const disk = path.join(root, "disk");
let mounted = false;
let sfu: Sfu | undefined;
let pattern: TestPattern | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error("these tests mount a tmpfs and must run as root (CI does): run them with sudo");
  mkdirSync(disk);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", disk]);
  mounted = true;
});
afterAll(async () => {
  await pattern?.stop();
  sfu?.close();
  if (mounted) execFileSync("umount", ["-l", disk]);
  rmSync(root, { recursive: true, force: true });
});

/** Takes every byte the tmpfs has left; returns what gives them back. */
function fill(): () => void {
  const { bavail, bsize } = statfsSync(disk);
  const filler = path.join(disk, "filler");
  execFileSync("fallocate", ["-l", String(bavail * bsize), filler]);
  return () => rmSync(filler, { force: true });
}

describe("durable writes", () => {
  it("leave the previous content whole and no temporary file when the disk is full", async () => {
    const file = path.join(disk, "state.json");
    await writeFileDurably(file, JSON.stringify({ version: 1 }));
    writeFileDurablySync(path.join(disk, "keys.json"), "[]", { mode: 0o600 });
    expect(statSync(path.join(disk, "keys.json")).mode & 0o777).toBe(0o600);
    const free = fill();
    try {
      const error = await writeFileDurably(file, JSON.stringify({ version: 2, padding: "x".repeat(64 * 1024) })).catch((e: unknown) => e);
      expect(isDiskFull(error)).toBe(true);
      expect(() => writeFileDurablySync(file, "x".repeat(64 * 1024))).toThrow(/ENOSPC/);
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ version: 1 });
      expect(readdirSync(disk).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      free();
    }
  });
});

describe("a recording whose disk fills at once", () => {
  it("stops on the disk check without throwing, and what it kept is recovered once space is free", async () => {
    sfu = await Sfu.create({ workers: 1, listenIp: "127.0.0.1", rtcPort: 0, log });
    const { room, peer } = await sfu.join("rec-full", { identity: "speaker", name: "Speaker", grants: { canPublish: true, canSubscribe: true, hidden: false } });
    pattern = await publishTestPattern(room, peer);
    await sleep(500);
    const dir = path.join(disk, "rec");
    let free = Number.MAX_SAFE_INTEGER;
    const recorder = await SessionRecorder.start({ room, dir, ffmpeg: tools.ffmpeg, log, minFreeBytes: 1024 ** 2, diskCheckMs: 100, freeBytes: async () => free });
    const stopped = new Promise((resolve) => recorder.once("stopped", resolve));
    const camera = () => recorder.tracks.find((t) => t.kind === "video")?.file;
    // Seconds of video (the pattern sends about 50 kB a second; less under load).
    for (let i = 0; i < 600 && (statSync(camera() ?? dir, { throwIfNoEntry: false })?.size ?? 0) < 150_000; i++) await sleep(100);
    // What recovery needs is on disk while it records.
    const kept = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as RecordingManifest;
    expect(kept.partial).toBe(true);
    expect(kept.tracks.map((t) => t.kind).sort()).toEqual(["audio", "video"]);

    const giveBack = fill();
    free = 0;
    expect(await stopped).toBe("disk_low");
    // The final manifest could not be written: stop still answers, and the kept one is whole.
    const manifest = await recorder.stop();
    expect(manifest.tracks).toHaveLength(2);
    expect(JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")).partial).toBe(true);

    giveBack();
    const recovered = await loadManifest(dir, tools, log);
    expect(recovered.partial).toBeUndefined();
    expect(recovered.tracks).toHaveLength(2);
    for (const track of recovered.tracks) expect(track.endMs! - track.startMs).toBeGreaterThan(0);
    expect(recovered.durationMs).toBeGreaterThan(1_000);
    writeFileSync(path.join(dir, "manifest.json"), "");
    // An empty manifest is rebuilt from the track files alone.
    expect((await loadManifest(dir, tools, log)).tracks.map((t) => t.kind).sort()).toEqual(["audio", "video"]);
  }, 300_000);
});
