/**
 * Plain RTP in and out of a room, for processes that do not speak WebRTC (ffmpeg):
 *
 * - a tap: a PlainTransport sending one producer's RTP to a local port, with the SDP that
 *   lets ffmpeg read it. Its consumer starts paused; the caller resumes it once the reader
 *   listens (`waitUdpListening`), then asks for a keyframe.
 * - an ingest: a PlainTransport that receives RTP (from ffmpeg) as a producer of a peer
 *   (test patterns, benchmarks, and later RTMP/file sources).
 */
import { createSocket } from "node:dgram";
import { readFile } from "node:fs/promises";
import type { types } from "mediasoup";
import type { MediaSource, Peer } from "./Peer.ts";
import type { Room } from "./Room.ts";

export type RtpTap = {
  readonly transport: types.PlainTransport;
  readonly consumer: types.Consumer;
  /** RTP goes to this port on 127.0.0.1, RTCP to port + 1. */
  readonly port: number;
  /** Session description for ffmpeg (`-i file.sdp`). */
  readonly sdp: string;
  close(): void;
};

/**
 * Sends `producerId` (a producer on `router`) to a free local port pair, or to `port` (the
 * live program switches sources into one reader); paused until resumed.
 */
export async function tapProducer(router: types.Router, producerId: string, port?: number): Promise<RtpTap> {
  port ??= await freeRtpPorts();
  const transport = await router.createPlainTransport({ listenInfo: { protocol: "udp", ip: "127.0.0.1" }, rtcpMux: false, comedia: false });
  try {
    await transport.connect({ ip: "127.0.0.1", port, rtcpPort: port + 1 });
    const consumer = await transport.consume({ producerId, rtpCapabilities: plainCapabilities(router), paused: true, enableRtx: false });
    return { transport, consumer, port, sdp: sdpFor(consumer, port), close: () => transport.close() };
  } catch (error) {
    transport.close();
    throw error;
  }
}

/**
 * The router's codecs without bandwidth estimation (no transport-cc, REMB or header
 * extensions): with it, mediasoup sends probation packets (SSRC 1234) on the same port,
 * and ffmpeg's RTP reader, which does not filter by SSRC, takes them for the stream.
 */
function plainCapabilities(router: types.Router): types.RtpCapabilities {
  const codecs = (router.rtpCapabilities.codecs ?? []).map((c) => ({
    ...c,
    rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type === "nack" || f.type === "ccm"),
  }));
  return { codecs, headerExtensions: [] };
}

/** An SDP describing what `consumer` sends to `port` (RTCP on port + 1). */
export function sdpFor(consumer: types.Consumer, port: number): string {
  const codec = consumer.rtpParameters.codecs[0];
  const [type, name] = codec.mimeType.split("/");
  const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : "";
  const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${v}`).join(";");
  return [
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=plenary",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=${type} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtcp:${port + 1}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    "a=recvonly",
    "",
  ].join("\n");
}

export type RtpIngest = {
  readonly transport: types.PlainTransport;
  readonly producer: types.Producer;
  /** Send RTP here, and RTCP to rtcpPort (on 127.0.0.1). */
  readonly port: number;
  readonly rtcpPort: number;
  close(): void;
};

/**
 * Opens ports on `peer`'s router that take RTP and RTCP from whoever sends first, as a
 * producer of `peer` announced to the room. RTCP is not muxed: ffmpeg sends it from
 * another local port, and a muxed comedia transport would lock onto whichever came first.
 */
export async function ingestRtp(
  room: Room,
  peer: Peer,
  input: { kind: types.MediaKind; source: MediaSource; rtpParameters: types.RtpParameters },
): Promise<RtpIngest> {
  const transport = await peer.home.router.createPlainTransport({ listenInfo: { protocol: "udp", ip: "127.0.0.1" }, rtcpMux: false, comedia: true });
  try {
    const producer = await transport.produce({ kind: input.kind, rtpParameters: input.rtpParameters, appData: { source: input.source, peerId: peer.id } });
    peer.once("close", () => transport.close());
    await room.addProducer(peer, producer, input.source);
    const rtcpPort = transport.rtcpTuple?.localPort ?? transport.tuple.localPort;
    return { transport, producer, port: transport.tuple.localPort, rtcpPort, close: () => transport.close() };
  } catch (error) {
    transport.close();
    throw error;
  }
}

/** An even port whose odd neighbour is free too (RTP and RTCP), between 20000 and 39998. */
export async function freeRtpPorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 9_999);
    if ((await udpFree(port)) && (await udpFree(port + 1))) return port;
  }
  throw new Error("no free UDP port pair for RTP");
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/**
 * Waits until some process has bound UDP `port` (Linux: /proc/net/udp), i.e. the reader we
 * started listens and resuming the consumer loses no packet. False after `timeoutMs`.
 */
export async function waitUdpListening(port: number, timeoutMs = 5_000): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const tables = await Promise.all(["/proc/net/udp", "/proc/net/udp6"].map((f) => readFile(f, "utf8").catch(() => "")));
    // Column 2 is local_address:port.
    if (tables.some((t) => t.split("\n").some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim())))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
