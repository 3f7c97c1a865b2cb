/** The recordings API (server/recordings/routes.ts). */
import { api } from '../../api/http.ts';

export type RecordingState = 'recording' | 'processing' | 'uploading' | 'ready' | 'failed';
export type Recording = {
  id: string;
  sessionId: string;
  title: string;
  state: RecordingState;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  trimStartMs: number | null;
  trimEndMs: number | null;
  access: 'ticket_holders' | 'everyone';
  failureReason?: string;
  sizeBytes?: number;
};
export type ChatLine = { id: number; atMs: number; author: string; text: string };
export type Playback = { recording: Recording; playlistUrl: string; posterUrl: string; downloadUrl: string | null; expiresAt: string; chat: ChatLine[] };
export type RecordingEdit = { title?: string; trimStartMs?: number | null; trimEndMs?: number | null; access?: Recording['access'] };

export const recordingsApi = {
  list: (eventId: string) => api.get<{ recordings: Recording[]; canManage: boolean }>(`/events/${eventId}/recordings`),
  playback: (id: string) => api.post<Playback>(`/recordings/${id}/playback`),
  edit: (id: string, edit: RecordingEdit) => api.patch<Recording>(`/recordings/${id}`, edit),
  retry: (id: string) => api.post<Recording>(`/recordings/${id}/retry`),
  remove: (id: string) => api.delete<void>(`/recordings/${id}`),
};
