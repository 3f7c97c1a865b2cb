/**
 * The codecs every room's router offers. Browsers differ (Safari prefers H264, Chrome
 * VP8/VP9), so a router carries all of them and each consumer gets what its device takes.
 */
import type { types } from "mediasoup";

export const ROOM_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: "audio", mimeType: "audio/opus", clockRate: 48_000, channels: 2 },
  { kind: "video", mimeType: "video/VP8", clockRate: 90_000, parameters: { "x-google-start-bitrate": 1000 } },
  { kind: "video", mimeType: "video/VP9", clockRate: 90_000, parameters: { "profile-id": 2, "x-google-start-bitrate": 1000 } },
  {
    kind: "video",
    mimeType: "video/H264",
    clockRate: 90_000,
    parameters: { "packetization-mode": 1, "profile-level-id": "4d0032", "level-asymmetry-allowed": 1 },
  },
  {
    kind: "video",
    mimeType: "video/H264",
    clockRate: 90_000,
    parameters: { "packetization-mode": 1, "profile-level-id": "42e01f", "level-asymmetry-allowed": 1 },
  },
  { kind: "video", mimeType: "video/AV1", clockRate: 90_000 },
];
