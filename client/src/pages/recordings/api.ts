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
export type ChatLine = { atMs: number; author: string; text: string };
/** Q&A and poll events (recorder/sidecar.ts ActivityEntry). */
export type ActivityLine =
  | { atMs: number; kind: 'question.asked'; questionId: string; author: string | null; text: string }
  | { atMs: number; kind: 'question.answered'; questionId: string; text: string; answer: string | null }
  | { atMs: number; kind: 'question.pinned'; questionId: string; text: string }
  | { atMs: number; kind: 'poll.opened'; pollId: string; question: string; options: string[] }
  | { atMs: number; kind: 'poll.closed'; pollId: string; question: string; results: { text: string; votes: number }[] };
export type Chapter = { startMs: number; endMs: number; title: string };
export type Sidecar = { version: 1; durationMs: number; chapters: Chapter[]; chat: ChatLine[]; activity: ActivityLine[] };
export type Playback = {
  recording: Recording;
  playlistUrl: string;
  posterUrl: string;
  downloadUrl: string | null;
  chaptersUrl: string;
  activityUrl: string;
  expiresAt: string;
  /** Null for a recording made before sidecars were saved. */
  sidecar: Sidecar | null;
};
export type RecordingEdit = { title?: string; trimStartMs?: number | null; trimEndMs?: number | null; access?: Recording['access'] };

const withCode = (code: string | undefined) => (code ? `?code=${encodeURIComponent(code)}` : '');

export const recordingsApi = {
  /** `code`: an invite-only event's access code, which opens its recordings as it opens its page. */
  list: (eventId: string, code?: string) => api.get<{ recordings: Recording[]; canManage: boolean }>(`/events/${eventId}/recordings${withCode(code)}`),
  playback: (id: string, code?: string) => api.post<Playback>(`/recordings/${id}/playback${withCode(code)}`),
  edit: (id: string, edit: RecordingEdit) => api.patch<Recording>(`/recordings/${id}`, edit),
  retry: (id: string) => api.post<Recording>(`/recordings/${id}/retry`),
  remove: (id: string) => api.delete<void>(`/recordings/${id}`),
};
