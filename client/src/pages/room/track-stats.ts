/** Receive statistics per remote track, from each consumer's RTCStatsReport. */
import type { types } from 'mediasoup-client';
import type { RemoteTrack } from './room-view.ts';

export type TrackStats = {
  consumerId: string;
  peerId: string;
  source: string;
  kind: string;
  framesDecoded: number;
  bytesReceived: number;
  packetsReceived: number;
  /** Width of the video frames arriving now (0 for audio or before the first frame). */
  frameWidth: number;
};

export function consumerStats(consumers: types.Consumer[], tracks: Record<string, RemoteTrack>): Promise<TrackStats[]> {
  return Promise.all(consumers.map(async (consumer) => {
    let framesDecoded = 0;
    let bytesReceived = 0;
    let packetsReceived = 0;
    let frameWidth = 0;
    (await consumer.getStats()).forEach((s: { type: string; framesDecoded?: number; bytesReceived?: number; packetsReceived?: number; frameWidth?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      framesDecoded += s.framesDecoded ?? 0;
      bytesReceived += s.bytesReceived ?? 0;
      packetsReceived += s.packetsReceived ?? 0;
      frameWidth = Math.max(frameWidth, s.frameWidth ?? 0);
    });
    const track = tracks[consumer.id];
    return { consumerId: consumer.id, peerId: track?.peerId ?? '', source: track?.source ?? '', kind: consumer.kind, framesDecoded, bytesReceived, packetsReceived, frameWidth };
  }));
}
