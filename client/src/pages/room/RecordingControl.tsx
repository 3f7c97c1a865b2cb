/**
 * Recording in the room: everyone sees when the session is being recorded, the join screen
 * says so beforehand, and hosts start and stop it here and mark chapters. The state is
 * read from the server every few seconds, so a recording started by another host or by the
 * session's own setting shows up for everyone. Hosts also watch the recording's realtime
 * topic: a warning when the server's disk runs low, and a note when it stopped by itself.
 */
import { createEffect, createResource, createSignal, onCleanup, Show } from 'solid-js';
import { api, ApiError } from '../../api/http.ts';
import { onPush } from '../../chat/protocol.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';

declare module '../../api/realtime.ts' {
  interface RealtimePushes {
    'recording.warning': { t: 'recording.warning'; sessionId: string; reason: 'disk_low'; freeMb: number; message: string };
    // disk_low: stopped cleanly before the disk filled; failed: it failed (message says why, e.g. the disk is full).
    'recording.stopped': { t: 'recording.stopped'; sessionId: string; reason: 'disk_low' | 'failed'; message?: string };
  }
  interface RealtimeRequests {
    'recording.watch': { payload: { sessionId: string }; reply: Record<string, never> };
  }
}

type RecordingStatus = { recording: boolean; startedAt: string | null; autoRecord: boolean };

const POLL_MS = 5_000;

function recordingStatus(sessionId: string) {
  const [status, { refetch }] = createResource(() => sessionId, (id) => api.get<RecordingStatus>(`/sessions/${id}/recording`));
  const timer = setInterval(() => void refetch(), POLL_MS);
  onCleanup(() => clearInterval(timer));
  return { status, refetch };
}

/** On the join screen: that the session is (or will be) recorded, before anyone turns a camera on. */
export function RecordingNotice(props: { sessionId: string }) {
  const { status } = recordingStatus(props.sessionId);
  return (
    <Show when={status.latest?.recording || status.latest?.autoRecord}>
      <p class="room__banner room__banner--info" role="note" data-testid="recording-notice">
        This session is recorded. {status.latest?.recording ? 'Recording is on now.' : 'Recording starts when the room opens.'}
      </p>
    </Show>
  );
}

/** In the room's header: the red recording mark for everyone, and the switch for hosts. */
export function RecordingIndicator(props: { sessionId: string; isHost: boolean }) {
  const { status, refetch } = recordingStatus(props.sessionId);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [warning, setWarning] = createSignal<string | null>(null);
  hostWarnings(props, (text) => setWarning(text), () => void refetch());
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/sessions/${props.sessionId}/recording/${status.latest?.recording ? 'stop' : 'start'}`, {});
      await refetch();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Recording could not be switched');
    } finally {
      setBusy(false);
    }
  };
  const mark = async () => {
    const label = prompt('Chapter title (shown in the replay)', 'New chapter')?.trim();
    if (!label) return;
    try {
      await api.post(`/sessions/${props.sessionId}/recording/markers`, { label });
      setNotice(`Chapter "${label}" marked.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The chapter could not be marked');
    }
  };
  return (
    <div class="room-recording">
      <span role="status" aria-live="polite">
        <Show when={status.latest?.recording}>
          <span class="room-recording__mark" data-testid="recording-indicator"><span aria-hidden="true">●</span> Recording</span>
        </Show>
      </span>
      <Show when={props.isHost && status.latest}>
        <button type="button" class="button" disabled={busy()} onClick={() => void toggle()}>
          {status.latest!.recording ? 'Stop recording' : 'Start recording'}
        </button>
        <Show when={status.latest!.recording}>
          <button type="button" class="button" onClick={() => void mark()}>Mark chapter</button>
        </Show>
      </Show>
      <Show when={error()}><span class="field__error" role="alert">{error()}</span></Show>
      <Show when={notice()}><span class="form-note" role="status">{notice()}</span></Show>
      <Show when={warning()}>
        <p class="room__banner" role="alert" data-testid="recording-warning">
          {warning()} <button type="button" class="button" onClick={() => setWarning(null)}>Dismiss</button>
        </p>
      </Show>
    </div>
  );
}

/** For hosts: the recording's warnings pushed over the realtime socket (watched again after a reconnect). */
function hostWarnings(props: { sessionId: string; isHost: boolean }, warn: (text: string) => void, changed: () => void) {
  const { client } = useRealtime();
  const watch = () => {
    if (props.isHost) client.request('recording.watch', { sessionId: props.sessionId }).catch(() => undefined);
  };
  const offs = [
    onPush(client, 'recording.warning', (push) => push.sessionId === props.sessionId && warn(push.message)),
    onPush(client, 'recording.stopped', (push) => {
      if (push.sessionId !== props.sessionId) return;
      warn(push.message ?? 'The recording stopped because the server ran out of disk space. What was recorded is being processed.');
      changed();
    }),
    client.onStatus((s) => s === 'open' && watch()),
  ];
  createEffect(watch);
  onCleanup(() => offs.forEach((off) => off()));
}
