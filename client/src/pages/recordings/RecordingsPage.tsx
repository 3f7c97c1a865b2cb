/**
 * The recordings of one event: everyone allowed sees the ready ones and plays them; the
 * event's owners and co-hosts also see recordings in progress or failed (with the reason
 * and a retry), and rename, trim, open to everyone, download or delete them. The list
 * follows state changes (processing → ready) pushed over the realtime socket.
 */
import { useParams, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { onPush } from '../../chat/protocol.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { type Recording, recordingsApi } from './api.ts';
import { Player } from './Player.tsx';
import { RecordingEditor } from './RecordingEditor.tsx';
import './recordings.css';
import { createStatusAction } from '../../ui/status-action.ts';

const STATE_LABELS: Record<Recording['state'], string> = {
  recording: 'Recording',
  processing: 'Processing',
  uploading: 'Uploading',
  ready: 'Ready',
  failed: 'Failed',
};

declare module '../../api/realtime.ts' {
  interface RealtimePushes {
    'recording.changed': { t: 'recording.changed'; eventId: string };
  }
  interface RealtimeRequests {
    'recording.list.watch': { payload: { eventId: string; code?: string }; reply: Record<string, never> };
  }
}

const minutes = (ms: number | null) => (ms === null ? '' : `${Math.max(1, Math.round(ms / 60_000))} min`);

export function RecordingsPage() {
  const params = useParams<{ eventId: string }>();
  const [search, setSearch] = useSearchParams<{ play?: string; code?: string }>();
  const [list, { refetch }] = createResource(() => params.eventId, (id) => recordingsApi.list(id, search.code));
  const [playback] = createResource(() => search.play, (id) => recordingsApi.playback(id, search.code));
  const { status, setStatus, act } = createStatusAction(refetch);
  const { client } = useRealtime();
  const watch = () =>
    void client.request('recording.list.watch', { eventId: params.eventId, ...(search.code ? { code: search.code } : {}) }).catch(() => undefined);
  const offs = [
    onPush(client, 'recording.changed', (push) => push.eventId === params.eventId && void refetch()),
    onPush(client, 'sys.resync', (push) => push.topics.includes(`recordings:${params.eventId}`) && void refetch()),
    // After a reconnect: watch again, and catch up on what changed meanwhile.
    client.onStatus((s) => {
      if (s !== 'open') return;
      watch();
      void refetch();
    }),
  ];
  if (client.status === 'open') watch();
  onCleanup(() => offs.forEach((off) => off()));

  // The player, its error, and the download link; `titled` when it stands on a card of its own.
  const playerBody = (titled: boolean) => (
    <>
      <Show when={playback.error}>
        <p class="form-alert" role="alert">{(playback.error as Error).message}</p>
      </Show>
      {/* Reading an errored resource throws: look at it only once it is ready. */}
      <Show when={playback.state === 'ready' && playback()} keyed>
        {(p) => (
          <>
            <Show when={titled}><h2 class="card__title">{p.recording.title}</h2></Show>
            <Player playback={p} />
            <Show when={p.downloadUrl}>
              {(url) => <a class="button" href={url()} download="recording.mp4">Download MP4</a>}
            </Show>
          </>
        )}
      </Show>
    </>
  );

  return (
    <div class="recordings-page">
      <PageHeader title="Recordings" lead="Sessions recorded at this event, to watch again." />
      <p class="form-note" role="status">{status()}</p>
      <Show when={list.error}>
        <p class="form-alert" role="alert">{(list.error as Error).message}</p>
      </Show>
      {/* A recording the list does not hold (e.g. a link to one not ready yet) plays on its own card. */}
      <Show when={search.play && list.state === 'ready' && !list()!.recordings.some((r) => r.id === search.play)}>
        <section class="card" aria-label="Player">
          {playerBody(true)}
        </section>
      </Show>
      <Show when={list()}>
        {(data) => (
          <Show when={data().recordings.length > 0} fallback={<p class="form-note">No recordings you can watch yet.</p>}>
            <ul class="recordings-list">
              <For each={data().recordings}>
                {(r) => (
                  <li class="card recordings-list__item">
                    <div class="recordings-list__head">
                      <h2 class="card__title">{r.title}</h2>
                      <span class={`recording-state recording-state--${r.state}`}>{STATE_LABELS[r.state]}</span>
                    </div>
                    <p class="form-note">
                      {new Date(r.startedAt).toLocaleString()} {minutes(r.durationMs)}
                    </p>
                    {/* The recording being played plays in its own card: one card per recording. */}
                    <Show when={r.id === search.play}>
                      <div class="recordings-list__player" aria-label="Player" role="region">{playerBody(false)}</div>
                    </Show>
                    <Show when={r.state === 'failed' && r.failureReason}>
                      <p class="form-alert">Why it failed: {r.failureReason}</p>
                    </Show>
                    <div class="recordings-list__actions">
                      <Show when={r.state === 'ready' && r.id !== search.play}>
                        <button type="button" class="button button--primary" onClick={() => setSearch({ play: r.id })}>Watch</button>
                      </Show>
                      <Show when={data().canManage && r.state === 'failed'}>
                        <button type="button" class="button" onClick={() => void act(() => recordingsApi.retry(r.id), 'Processing again.')}>Retry</button>
                      </Show>
                    </div>
                    <Show when={data().canManage}>
                      <RecordingEditor recording={r} onSaved={(message) => { setStatus(message); void refetch(); }} />
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </div>
  );
}
