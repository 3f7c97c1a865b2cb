/**
 * The worker that sfu/worker-build/build.sh made starts, routes and stops. ./plenary exports
 * MEDIASOUP_WORKER_BIN before tests; without it mediasoup looks for a downloaded worker.
 */
import { existsSync } from "node:fs";
import * as mediasoup from "mediasoup";
import { expect, it } from "vitest";

it("runs the locally built mediasoup-worker: router, WebRTC and plain transports", async () => {
  const bin = process.env.MEDIASOUP_WORKER_BIN;
  expect(bin, "MEDIASOUP_WORKER_BIN is not set: run the tests through ./plenary test").toBeTruthy();
  expect(existsSync(bin!)).toBe(true);

  const worker = await mediasoup.createWorker({ logLevel: "warn" });
  let died: Error | undefined;
  worker.on("died", (error) => (died = error));
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: "audio", mimeType: "audio/opus", clockRate: 48_000, channels: 2 },
      { kind: "video", mimeType: "video/VP8", clockRate: 90_000 },
      { kind: "video", mimeType: "video/H264", clockRate: 90_000, parameters: { "packetization-mode": 1, "profile-level-id": "42e01f" } },
    ],
  });
  expect(router.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
    expect.arrayContaining(["audio/opus", "video/VP8", "video/H264"]),
  );
  const webrtc = await router.createWebRtcTransport({ listenInfos: [{ protocol: "udp", ip: "127.0.0.1" }] });
  expect(webrtc.iceCandidates[0]).toMatchObject({ ip: "127.0.0.1", protocol: "udp" });
  expect(webrtc.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
  const plain = await router.createPlainTransport({ listenInfo: { protocol: "udp", ip: "127.0.0.1" }, rtcpMux: true, enableSrtp: true });
  expect(plain.tuple.localPort).toBeGreaterThan(0);
  expect(plain.srtpParameters?.cryptoSuite).toBeTruthy();
  const usage = await worker.getResourceUsage();
  expect(usage.ru_maxrss).toBeGreaterThan(0);

  worker.close();
  expect(worker.closed).toBe(true);
  expect(router.closed).toBe(true);
  expect(died).toBeUndefined();
});
