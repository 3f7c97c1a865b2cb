/** The live streaming API as the client sees it (server/streaming/routes.ts). */
import { api } from '../../api/http.ts';

export type Destination = { id: string; name: string; ingestUrl: string; streamKeyHint: string; updatedAt: string };
export type DestinationHealth = {
  id: string;
  name: string;
  state: 'connecting' | 'live' | 'retrying' | 'stopped';
  bitrateKbps: number;
  droppedFrames: number;
  reconnects: number;
  lastError: string | null;
  since: string;
};
/** The one encoder of the stream: "reconnecting" while it is restarted after dying. */
export type EncoderHealth = { state: 'live' | 'reconnecting'; restarts: number; lastError: string | null; since: string };
export type LiveHealth = {
  startedAt: string;
  frames: number;
  droppedFrames: number;
  programPeer: string | null;
  encoder: EncoderHealth;
  destinations: DestinationHealth[];
};
export type LiveState = 'off' | EncoderHealth['state'];
/** What hosts are told of a stream (GET, the `stream.subscribe` reply and each `stream.health` push). */
export type HostStreamStatus = { live: boolean; state: LiveState; startedAt: string | null; failure: string | null; health: LiveHealth | null };
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
