/**
 * Recording in the room: everyone sees when the session is being recorded, the join screen
 * says so beforehand, and hosts start and stop it here. The state is read from the server
 * every few seconds, so a recording started by another host or by the session's own
 * setting shows up for everyone.
 */
import { createResource, createSignal, onCleanup, Show } from 'solid-js';
import { api, ApiError } from '../../api/http.ts';

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
      </Show>
      <Show when={error()}><span class="field__error" role="alert">{error()}</span></Show>
    </div>
  );
}
