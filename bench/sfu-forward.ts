/**
 * How many packets one mediasoup worker forwards, and at what CPU cost. ffmpeg sends a
 * VP8 (testsrc, 640x360, 30 fps, ~1 Mbit/s) and Opus (sine) clip in a loop, in real time
 * (-re), into PlainTransports; N viewers each get a video and an audio consumer on their own
 * PlainTransport, all draining into one UDP sink (a child process). For each N it prints
 * packets forwarded per second, the worker's CPU (getResourceUsage deltas), and packets
 * per second per 100% of one core, next to the published anchors. Printed, never asserted.
 *
 *   node bench/sfu-forward.ts [--viewers 50,100,200,400] [--seconds 5]
 * (needs MEDIASOUP_WORKER_BIN as for the tests, and ffmpeg with libvpx and libopus)
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as mediasoup from "mediasoup";
import type { types } from "mediasoup";

const { values } = parseArgs({
  options: { viewers: { type: "string", default: "50,100,200,400" }, seconds: { type: "string", default: "5" } },
});
const STEPS = values.viewers.split(",").map(Number);
const SECONDS = Number(values.seconds);
const VIDEO = { ssrc: 22_222_222, payloadType: 101 };
const AUDIO = { ssrc: 11_111_111, payloadType: 100 };

const worker = await mediasoup.createWorker({ logLevel: "error" });
worker.on("died", (error) => {
  console.error("worker died:", error);
  process.exit(1);
});
const router = await worker.createRouter({
  mediaCodecs: [
    { kind: "audio", mimeType: "audio/opus", clockRate: 48_000, channels: 2 },
    { kind: "video", mimeType: "video/VP8", clockRate: 90_000 },
  ],
});
const listenInfo = { protocol: "udp" as const, ip: "127.0.0.1" };

// Ingest: one PlainTransport per track, learning ffmpeg's address from its first packet.
// ffmpeg sends RTCP from another local port than RTP, so RTCP gets its own port (no mux):
// with mux, comedia could latch onto the RTCP source and drop every RTP packet.
async function ingest(kind: "audio" | "video") {
  const transport = await router.createPlainTransport({ listenInfo, rtcpMux: false, comedia: true });
  const producer = await transport.produce({
    kind,
    rtpParameters:
      kind === "video"
        ? { codecs: [{ mimeType: "video/VP8", payloadType: VIDEO.payloadType, clockRate: 90_000 }], encodings: [{ ssrc: VIDEO.ssrc }] }
        : { codecs: [{ mimeType: "audio/opus", payloadType: AUDIO.payloadType, clockRate: 48_000, channels: 2, parameters: { "sprop-stereo": 1 } }], encodings: [{ ssrc: AUDIO.ssrc }] },
  });
  return { port: transport.tuple.localPort, rtcpPort: transport.rtcpTuple!.localPort, producer };
}
const video = await ingest("video");
const audio = await ingest("audio");

// Encoded once up front and then sent with -c copy, so ffmpeg's encoder does not compete
// with the worker for the cores while we measure.
const clip = path.join(mkdtempSync(path.join(tmpdir(), "plenary-bench-")), "clip.webm");
execFileSync("ffmpeg", [
  "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
  "-t", "20", "-c:v", "libvpx", "-b:v", "1000k", "-deadline", "realtime", "-cpu-used", "8", "-g", "60",
  "-c:a", "libopus", "-b:a", "64k", "-ac", "2", clip,
]);
const rtp = (t: { port: number; rtcpPort: number }) => `rtp://127.0.0.1:${t.port}?rtcpport=${t.rtcpPort}&pkt_size=1200`;
const ffmpeg = spawn("ffmpeg", [
  "-v", "error", "-re", "-stream_loop", "-1", "-i", clip,
  "-map", "0:v", "-c:v", "copy", "-payload_type", String(VIDEO.payloadType), "-ssrc", String(VIDEO.ssrc), "-f", "rtp", rtp(video),
  "-map", "0:a", "-c:a", "copy", "-payload_type", String(AUDIO.payloadType), "-ssrc", String(AUDIO.ssrc), "-f", "rtp", rtp(audio),
], { stdio: ["ignore", "ignore", "inherit"] });

// The sink: every consumer sends here, to a child process that only counts. In this
// process, tens of thousands of datagrams a second starved mediasoup's channel replies
// (requests stalled past ~250 viewers).
const SINK = `
  const dgram = require("node:dgram");
  let count = 0;
  const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 8 * 1024 * 1024 });
  socket.on("message", () => { count += 1; });
  socket.bind(0, "127.0.0.1", () => process.send({ port: socket.address().port }));
  process.on("message", () => process.send({ count }));
  process.on("disconnect", () => process.exit(0));
`;
const sinkProcess = spawn(process.execPath, ["-e", SINK], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
const sinkPort = await new Promise<number>((resolve) => sinkProcess.once("message", (m: { port: number }) => resolve(m.port)));
const sunk = () =>
  new Promise<number>((resolve) => {
    sinkProcess.once("message", (m: { count: number }) => resolve(m.count));
    sinkProcess.send("count");
  });

const consumers: types.Consumer[] = [];
async function addViewer() {
  const transport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
  await transport.connect({ ip: "127.0.0.1", port: sinkPort });
  for (const producer of [video.producer, audio.producer]) {
    consumers.push(await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }));
  }
}

const cpuMs = async () => {
  const u = await worker.getResourceUsage();
  return u.ru_utime + u.ru_stime;
};
const received = async () => ((await video.producer.getStats())[0]?.packetCount ?? 0) + ((await audio.producer.getStats())[0]?.packetCount ?? 0);

await new Promise((r) => setTimeout(r, 2_000));
console.log(`ingest: ${(await received()) / 2} packets/s from ffmpeg (VP8 ~1 Mbit/s + Opus 64 kbit/s)\n`);
console.log("viewers  consumers  in pkt/s  expected out pkt/s  sink pkt/s  worker CPU  pkt/s per 100% core");
const rows: { viewers: number; perCore: number; cpu: number }[] = [];
for (const viewers of STEPS) {
  while (consumers.length < viewers * 2) {
    await addViewer();
    if ((consumers.length / 2) % 50 === 0) process.stderr.write(`  ${consumers.length / 2} viewers\r`);
  }
  await new Promise((r) => setTimeout(r, 1_000));
  const [cpu0, in0, sink0, t0] = [await cpuMs(), await received(), await sunk(), performance.now()];
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  const [cpu1, in1, sink1, t1] = [await cpuMs(), await received(), await sunk(), performance.now()];
  const secs = (t1 - t0) / 1000;
  const cpu = (cpu1 - cpu0) / 10 / secs;
  const inRate = (in1 - in0) / secs;
  // Every incoming packet goes out once per viewer (each viewer consumes both tracks).
  const expected = inRate * viewers;
  const sinkRate = (sink1 - sink0) / secs;
  const perCore = cpu > 0 ? sinkRate / (cpu / 100) : 0;
  rows.push({ viewers, perCore, cpu });
  console.log(
    `${String(viewers).padStart(7)}  ${String(consumers.length).padStart(9)}  ${inRate.toFixed(0).padStart(8)}  ${expected.toFixed(0).padStart(18)}  ${sinkRate.toFixed(0).padStart(10)}  ${cpu.toFixed(1).padStart(9)}%  ${perCore.toFixed(0).padStart(20)}`,
  );
}
console.log(`
anchors: mediasoup's guidance ~500 consumers per worker; LiveKit's published figures work out
to roughly 38,000-75,000 packets/s per vCPU. Here: ${rows.map((r) => `${r.perCore.toFixed(0)} (N=${r.viewers})`).join(", ")} packets/s per core.
Packets/s per core counts what reached the sink, so a sink that falls behind understates it;
the sink, ffmpeg and this process share the machine's cores with the worker.`);

ffmpeg.kill("SIGTERM");
sinkProcess.disconnect();
worker.close();
