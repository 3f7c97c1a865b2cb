/**
 * A media participant for tests: a werift (pure TypeScript WebRTC) peer that speaks
 * Plenary's media signaling over a TestSocket, the way mediasoup-client would: the SFU is
 * ICE-lite and sends its transport parameters; the peer builds the SDP around them.
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { packetize, Vp8Depacketizer } from "./vp8.ts";
import { type Frame, TestSocket } from "./ws-client.ts";

type TransportInfo = {
  transportId: string;
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: { foundation: string; priority: number; address: string; protocol: string; port: number; type: string }[];
  dtlsParameters: { fingerprints: { algorithm: string; value: string }[] };
};

const attr = (sdp: string, name: string) => new RegExp(`^a=${name}:(.*)$`, "m").exec(sdp)?.[1]?.trim();

/** The session part of an SDP for a mediasoup transport (UDP candidates: werift has no ICE-TCP). */
function transportLines(t: TransportInfo, setup: "active" | "actpass"): string[] {
  const fingerprint = t.dtlsParameters.fingerprints.find((f) => f.algorithm === "sha-256")!;
  return [
    `a=ice-ufrag:${t.iceParameters.usernameFragment}`,
    `a=ice-pwd:${t.iceParameters.password}`,
    `a=fingerprint:sha-256 ${fingerprint.value}`,
    `a=setup:${setup}`,
    ...t.iceCandidates
      .filter((c) => c.protocol === "udp")
      .map((c) => `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address} ${c.port} typ ${c.type}`),
    "a=end-of-candidates",
  ];
}

function remoteDtls(sdp: string, role?: "client" | "server") {
  const [algorithm, value] = attr(sdp, "fingerprint")!.split(" ");
  return { role: role ?? (attr(sdp, "setup") === "active" ? "client" : "server"), fingerprints: [{ algorithm, value }] };
}

export class MediaPeer {
  readonly socket: TestSocket;
  join!: Frame & { data: { peerId: string; producers: { id: string; kind: string }[]; routerRtpCapabilities: { codecs: unknown[] } } };
  // Publishing.
  #sendPc: RTCPeerConnection | undefined;
  #sendTimer: NodeJS.Timeout | undefined;
  // Receiving: one consumer per peer is all the tests need.
  #recvPc: RTCPeerConnection | undefined;
  /** RTP packets received on the consumer. */
  packets = 0;
  depacketizer = new Vp8Depacketizer();
  consumerId: string | undefined;

  private constructor(socket: TestSocket) {
    this.socket = socket;
  }

  static async connect(url: string, token: string): Promise<MediaPeer> {
    const peer = new MediaPeer(await TestSocket.open(url));
    await peer.rejoin(token);
    return peer;
  }

  /** media.join (again, on a new socket it would resume); throws on an error reply. */
  async rejoin(token: string): Promise<void> {
    this.join = (await this.ok("media.join", { token })) as MediaPeer["join"];
    const codecs = (this.join.data.routerRtpCapabilities.codecs as { mimeType: string }[]).filter((c) =>
      ["video/VP8", "audio/opus", "video/rtx"].includes(c.mimeType),
    );
    await this.ok("media.capabilities", { rtpCapabilities: { codecs, headerExtensions: [] } });
  }

  async ok(t: string, payload: Record<string, unknown> = {}): Promise<Frame & { data: Record<string, unknown> }> {
    const reply = await this.socket.request(t, payload);
    if (reply.t !== "ok") throw new Error(`${t} failed: ${JSON.stringify(reply)}`);
    return reply as Frame & { data: Record<string, unknown> };
  }

  /** Publishes a camera track and keeps sending `frames` in a loop at 15 fps; returns the producer id. */
  async publishVideo(frames: Buffer[]): Promise<string> {
    const transport = (await this.ok("media.transport.create", { direction: "send" })).data as unknown as TransportInfo;
    const pc = new RTCPeerConnection({
      codecs: { video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90_000, payloadType: 96 })] },
      iceUseIpv6: false,
    });
    this.#sendPc?.close();
    this.#sendPc = pc;
    const track = new MediaStreamTrack({ kind: "video" });
    pc.addTransceiver(track, { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const offer = pc.localDescription!.sdp;
    const mid = attr(offer, "mid")!;
    const ssrc = Number(/^a=ssrc:(\d+) /m.exec(offer)![1]);
    const answer = [
      "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=ice-lite", `a=group:BUNDLE ${mid}`,
      "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 127.0.0.1", `a=mid:${mid}`, "a=recvonly", "a=rtcp-mux",
      "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 ccm fir",
      // The SFU takes the DTLS client role on this transport.
      ...transportLines(transport, "active"), "",
    ].join("\r\n");
    await this.ok("media.transport.connect", { transportId: transport.transportId, dtlsParameters: remoteDtls(offer, "server") });
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    const produced = await this.ok("media.produce", {
      transportId: transport.transportId,
      kind: "video",
      source: "camera",
      rtpParameters: {
        mid,
        codecs: [{ mimeType: "video/VP8", payloadType: 96, clockRate: 90_000, rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }] }],
        encodings: [{ ssrc }],
        rtcp: { cname: "werift" },
      },
    });
    clearInterval(this.#sendTimer);
    let index = 0;
    let sequenceNumber = 1;
    this.#sendTimer = setInterval(() => {
      const frame = frames[index++ % frames.length];
      const timestamp = (index * 6_000) >>> 0;
      const payloads = packetize(frame);
      payloads.forEach((payload, i) => {
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: sequenceNumber++ & 0xffff, timestamp, marker: i === payloads.length - 1, ssrc });
        track.writeRtp(new RtpPacket(header, payload));
      });
    }, 1000 / 15);
    return produced.data.producerId as string;
  }

  /** Consumes one producer on a fresh receive transport and resumes it. */
  async subscribe(producerId: string): Promise<string> {
    const transport = (await this.ok("media.transport.create", { direction: "recv" })).data as unknown as TransportInfo;
    const consumed = (await this.ok("media.consume", { producerId })).data as {
      consumerId: string;
      rtpParameters: { codecs: { payloadType: number; mimeType: string }[]; encodings: { ssrc: number }[] };
    };
    const codec = consumed.rtpParameters.codecs.find((c) => c.mimeType === "video/VP8")!;
    const ssrc = consumed.rtpParameters.encodings[0].ssrc;
    const pc = new RTCPeerConnection({
      codecs: { video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90_000, payloadType: codec.payloadType })] },
      iceUseIpv6: false,
    });
    this.#recvPc?.close();
    this.#recvPc = pc;
    this.packets = 0;
    this.depacketizer = new Vp8Depacketizer();
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        if (rtp.header.payloadType !== codec.payloadType) return;
        this.packets += 1;
        this.depacketizer.push(rtp.payload, rtp.header.sequenceNumber, rtp.header.marker);
      }),
    );
    const pt = codec.payloadType;
    const offer = [
      "v=0", "o=- 2 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=ice-lite", "a=group:BUNDLE 0",
      `m=video 9 UDP/TLS/RTP/SAVPF ${pt}`, "c=IN IP4 127.0.0.1", "a=mid:0", "a=sendonly", "a=rtcp-mux",
      `a=rtpmap:${pt} VP8/90000`, `a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`,
      `a=ssrc:${ssrc} cname:plenary`, "a=msid:stream track",
      ...transportLines(transport, "actpass"), "",
    ].join("\r\n");
    await pc.setRemoteDescription({ type: "offer", sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await this.ok("media.transport.connect", { transportId: transport.transportId, dtlsParameters: remoteDtls(pc.localDescription!.sdp) });
    await this.ok("media.consumer.resume", { consumerId: consumed.consumerId });
    this.consumerId = consumed.consumerId;
    return consumed.consumerId;
  }

  /** Stops sending and closes the peer connections (the socket stays). */
  async stopMedia(): Promise<void> {
    clearInterval(this.#sendTimer);
    await Promise.all([this.#sendPc?.close(), this.#recvPc?.close()]);
    this.#sendPc = this.#recvPc = undefined;
  }

  async close(): Promise<void> {
    await this.stopMedia();
    this.socket.close();
  }
}

/** Polls until `condition` holds, failing with `what` after `ms`. */
export async function eventually(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
