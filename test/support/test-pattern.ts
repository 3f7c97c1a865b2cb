/**
 * Publishes an ffmpeg test pattern (moving colour bars with a counter, and a 440 Hz tone)
 * into a room as a peer's camera and microphone, through RTP ingest ports (sfu/plain-tap.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Peer } from "../../sfu/Peer.ts";
import { ingestRtp } from "../../sfu/plain-tap.ts";
import type { Room } from "../../sfu/Room.ts";

export type TestPattern = { child: ChildProcess; stop(): Promise<void> };

export async function publishTestPattern(room: Room, peer: Peer, options: { video?: boolean; audio?: boolean; size?: string } = {}): Promise<TestPattern> {
  const args = ["-hide_banner", "-loglevel", "error", "-re"];
  const outputs: string[] = [];
  let input = 0;
  if (options.video ?? true) {
    const ingest = await ingestRtp(room, peer, {
      kind: "video",
      source: "camera",
      rtpParameters: { codecs: [{ mimeType: "video/VP8", payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc: 11_111 }] },
    });
    args.push("-f", "lavfi", "-i", `testsrc2=size=${options.size ?? "320x240"}:rate=15`);
    outputs.push(
      "-map", `${input++}:v`, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k", "-g", "15", "-force_key_frames", "expr:gte(t,n_forced*1)", // ffmpeg ignores keyframe requests: one every second instead.
      
      "-ssrc", "11111", "-payload_type", "101", "-f", "rtp", `rtp://127.0.0.1:${ingest.port}?rtcpport=${ingest.rtcpPort}&pkt_size=1200`,
    );
  }
  if (options.audio ?? true) {
    const ingest = await ingestRtp(room, peer, {
      kind: "audio",
      source: "microphone",
      rtpParameters: {
        codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48_000, channels: 2, parameters: { "sprop-stereo": 1 } }],
        encodings: [{ ssrc: 22_222 }],
      },
    });
    args.push("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");
    outputs.push(
      "-map", `${input++}:a`, "-c:a", "libopus", "-ac", "2", "-b:a", "64k",
      "-ssrc", "22222", "-payload_type", "100", "-f", "rtp", `rtp://127.0.0.1:${ingest.port}?rtcpport=${ingest.rtcpPort}&pkt_size=1200`,
    );
  }
  const child = spawn("ffmpeg", [...args, ...outputs], { stdio: ["pipe", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
