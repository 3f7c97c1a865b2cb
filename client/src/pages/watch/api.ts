/** The live streaming API as the client sees it (server/streaming/routes.ts). */
import type { PushHealth as DestinationHealth } from '../../../../recorder/live-push.ts';
import type { LiveHealth } from '../../../../recorder/live-stream.ts';
import type { LiveStatus } from '../../../../server/streaming/service.ts';
import { api } from '../../api/http.ts';

export type Destination = { id: string; name: string; ingestUrl: string; streamKeyHint: string; updatedAt: string };
/** A destination's push health, the encoder's, and the whole stream's: the server's own shapes. */
export type { DestinationHealth, LiveHealth };
export type { EncoderHealth } from '../../../../recorder/live-stream.ts';
export type { LiveState } from '../../../../server/streaming/service.ts';
/** What hosts are told of a stream (GET, the `stream.subscribe` reply and each `stream.health` push). */
export type HostStreamStatus = LiveStatus;
export type StreamStatus =
  | { live: boolean; startedAt: string | null; isHost: false }
  | (HostStreamStatus & { isHost: true; destinations: Destination[] });
export type WatchLink = { title: string; live: boolean; playlistUrl: string; expiresAt: string };
export type DestinationInput = { name: string; ingestUrl: string; streamKey: string };

export const streamingApi = {
  status: (sessionId: string) => api.get<StreamStatus>(`/sessions/${sessionId}/stream`),
  start: (sessionId: string, destinationIds: string[]) => api.post<StreamStatus>(`/sessions/${sessionId}/stream/start`, { destinationIds }),
  stop: (sessionId: string) => api.post<StreamStatus>(`/sessions/${sessionId}/stream/stop`, {}),
  watch: (sessionId: string) => api.post<WatchLink>(`/sessions/${sessionId}/stream/watch`, {}),
  destinations: (eventId: string) =>
    api.get<{ destinations: Destination[]; live: { sessionId: string; title: string; health: LiveHealth }[] }>(`/organize/events/${eventId}/stream-destinations`),
  create: (eventId: string, input: DestinationInput) => api.post<Destination>(`/organize/events/${eventId}/stream-destinations`, input),
  remove: (id: string) => api.delete<void>(`/organize/stream-destinations/${id}`),
};

/** One line a host can read: how a destination is doing. */
export function describeDestination(d: DestinationHealth): string {
  const state = { connecting: 'Connecting', live: 'Live', retrying: 'Failing, retrying', stopped: 'Stopped' }[d.state];
  const parts = [state, d.state === 'live' ? `${Math.round(d.bitrateKbps)} kbit/s` : '', d.droppedFrames ? `${d.droppedFrames} frames dropped` : '', d.reconnects ? `${d.reconnects} reconnects` : ''];
  return parts.filter(Boolean).join(' · ') + (d.state !== 'live' && d.lastError ? ` (${d.lastError})` : '');
}
