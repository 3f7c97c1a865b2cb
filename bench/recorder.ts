/**
 * The CPU cost of recording. A test pattern (VP8 640x360 at 15 fps with Opus, real time)
 * is published into a room on a real mediasoup worker; the same video producer is tapped
 * twice at once (sfu/plain-tap.ts): one ffmpeg copies it into Matroska as the recorder
 * does, one transcodes it with libx264 veryfast. Their CPU time (utime + stime from
 * /proc) over the same seconds gives the ratio, and from the copy's share of one core,
 * how many simultaneous copy-codec recordings one core sustains. Printed, never asserted.
 *
 *   node bench/recorder.ts [--seconds 20]
 * (needs MEDIASOUP_WORKER_BIN as for the tests, and ffmpeg with libvpx, libopus, libx264)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "../server/log.ts";
import { type RtpTap, tapProducer, waitUdpListening } from "../sfu/plain-tap.ts";
import { Sfu } from "../sfu/Sfu.ts";
import { publishTestPattern } from "../test/support/test-pattern.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "20" } } });
const SECONDS = Number(values.seconds);
const TICKS = 100; // USER_HZ on Linux.
const scratch = mkdtempSync(path.join(tmpdir(), "plenary-bench-recorder-"));

const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
};

const sfu = await Sfu.create({ workers: 1, listenIp: "127.0.0.1", rtcPort: 0, log: createLogger("silent") });
const { room, peer } = await sfu.join("bench", { identity: "bench", name: "Bench", grants: { canPublish: true, canSubscribe: true, hidden: false } });
const pattern = await publishTestPattern(room, peer, { size: "640x360" });
const video = [...room.producers.values()].find((p) => p.producer.kind === "video")!;

async function recorder(name: string, codec: string[]): Promise<{ tap: RtpTap; child: ChildProcess }> {
  const tap = await tapProducer(peer.home.router, video.producer.id);
  const sdp = path.join(scratch, `${name}.sdp`);
  writeFileSync(sdp, tap.sdp);
  const child = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostats", "-protocol_whitelist", "file,udp,rtp", "-i", sdp, ...codec, "-f", "matroska", "-y", path.join(scratch, `${name}.mkv`)], { stdio: ["pipe", "ignore", "inherit"] });
  await waitUdpListening(tap.port);
  await tap.consumer.resume();
  await tap.consumer.requestKeyFrame();
  return { tap, child };
}

const copy = await recorder("copy", ["-c", "copy"]);
const x264 = await recorder("x264", ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]);
// Let both get past probing, then measure a window of steady recording.
await new Promise((r) => setTimeout(r, 3_000));
const start = { copy: cpuSeconds(copy.child.pid!), x264: cpuSeconds(x264.child.pid!), at: performance.now() };
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const wall = (performance.now() - start.at) / 1000;
const used = { copy: cpuSeconds(copy.child.pid!) - start.copy, x264: cpuSeconds(x264.child.pid!) - start.x264 };

for (const r of [copy, x264]) {
  r.child.stdin?.end("q");
  await new Promise((resolve) => r.child.once("exit", resolve));
  r.tap.close();
}
// Both must have recorded the same media for the comparison to mean anything.
const frames = (name: string) =>
  execFileSync("ffprobe", ["-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path.join(scratch, `${name}.mkv`)]).toString().trim();
const recorded = { copy: frames("copy"), x264: frames("x264") };
await pattern.stop();
sfu.close();
rmSync(scratch, { recursive: true, force: true });

const share = (cpu: number) => `${((cpu / wall) * 100).toFixed(2)} % of one core`;
console.log(`recorder CPU over ${wall.toFixed(1)} s of VP8 640x360 15 fps (ffmpeg process time, /proc):`);
console.log(`  frames written: copy ${recorded.copy}, transcode ${recorded.x264}`);
console.log(`  copy codec (what the recorder does): ${used.copy.toFixed(2)} s  (${share(used.copy)})`);
console.log(`  libx264 veryfast transcode:          ${used.x264.toFixed(2)} s  (${share(used.x264)})`);
console.log(`  ratio transcode / copy: ${used.copy > 0 ? (used.x264 / used.copy).toFixed(1) : "∞ (copy used less than one clock tick)"}x`);
console.log(`  copy-codec recordings one core sustains: ~${used.copy > 0 ? Math.floor(wall / used.copy) : "more than the clock resolution shows"}`);
