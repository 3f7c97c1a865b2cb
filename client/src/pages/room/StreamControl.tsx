/**
 * Live streaming in the room's header: everyone sees when the session is streamed; hosts
 * choose destinations, start and stop, and read the encoder's state (reconnecting after a
 * crash) and each destination's health (bitrate, dropped frames, reconnects, the last
 * error). One fetch at the start; then the server pushes over the realtime socket
 * (`stream.subscribe`): to everyone when a stream starts or ends (also one started by
 * another host), to hosts its health every few seconds and at once on any change.
 */
import { createEffect, createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { onPush } from '../../chat/protocol.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';
import { describeDestination, type HostStreamStatus, type StreamStatus, streamingApi } from '../watch/api.ts';
import '../watch/watch.css';

declare module '../../api/realtime.ts' {
  interface RealtimePushes {
    'stream.live': { t: 'stream.live'; sessionId: string; live: boolean; startedAt: string | null };
    'stream.health': { t: 'stream.health'; sessionId: string } & HostStreamStatus;
  }
  interface RealtimeRequests {
    'stream.subscribe': {
      payload: { sessionId: string };
      reply: { live: boolean; startedAt: string | null; isHost: false } | (HostStreamStatus & { isHost: true });
    };
  }
}

type StatusUpdate = { live: boolean; startedAt: string | null } & Partial<HostStreamStatus>;

export function StreamControl(props: { sessionId: string; isHost: boolean }) {
  const [status, { refetch, mutate }] = createResource(() => props.sessionId, (id) => streamingApi.status(id));
  // A push (or a subscription's reply) updates what the fetch gave; attendees keep only whether it is live.
  const apply = (u: StatusUpdate) => {
    const current = status.latest;
    if (!current) return;
    const next: StreamStatus = current.isHost
      ? { ...current, live: u.live, startedAt: u.startedAt, ...(u.state ? { state: u.state, failure: u.failure ?? null, health: u.health ?? null } : {}) }
      : { ...current, live: u.live, startedAt: u.startedAt };
    mutate(next);
  };
  const { client } = useRealtime();
  const subscribe = () => {
    client.request('stream.subscribe', { sessionId: props.sessionId }).then(apply, () => undefined);
  };
  const mine = (push: { sessionId: string }) => push.sessionId === props.sessionId;
  const offs = [
    onPush(client, 'stream.live', (push) => mine(push) && apply(push)),
    onPush(client, 'stream.health', (push) => mine(push) && apply(push)),
    // Missed while the socket was slow: read it again.
    onPush(client, 'sys.resync', (push) => push.topics.some((t) => t.startsWith(`stream:${props.sessionId}`)) && void refetch()),
    // Subscribed again after a reconnect, whose reply brings what was missed.
    client.onStatus((s) => s === 'open' && subscribe()),
  ];
  createEffect(subscribe);
  onCleanup(() => offs.forEach((off) => off()));
  const [chosen, setChosen] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const host = () => {
    const s = status.latest;
    return s && s.isHost ? s : null;
  };
  const toggle = async () => {
    setBusy(true);
    setError('');
    try {
      if (status.latest?.live) await streamingApi.stop(props.sessionId);
      else await streamingApi.start(props.sessionId, chosen());
      await refetch();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The live stream could not be switched');
    } finally {
      setBusy(false);
    }
  };
  const pick = (id: string, on: boolean) => setChosen(on ? [...chosen(), id] : chosen().filter((c) => c !== id));

  return (
    <div class="stream-control" data-testid="stream-control">
      <span role="status" aria-live="polite">
        <Show when={status.latest?.live}>
          <span class="stream-control__mark" data-testid="live-indicator"><span aria-hidden="true">◉</span> Live stream</span>
        </Show>
      </span>
      <Show when={props.isHost && host()}>
        {(h) => (
          <>
            <button type="button" class="button" disabled={busy()} onClick={() => void toggle()}>
              {h().live ? 'Stop live stream' : 'Start live stream'}
            </button>
            <Show when={!h().live && h().destinations.length > 0}>
              <fieldset class="stream-control__panel">
                <legend class="form-note">Also push to</legend>
                <For each={h().destinations}>
                  {(d) => (
                    <label>
                      <input type="checkbox" checked={chosen().includes(d.id)} onChange={(e) => pick(d.id, e.currentTarget.checked)} /> {d.name}
                    </label>
                  )}
                </For>
              </fieldset>
            </Show>
            <Show when={h().live && h().state === 'reconnecting'}>
              <p class="stream-control__reconnecting" role="status" data-testid="stream-reconnecting">
                The live encoder stopped and is being restarted: viewers and destinations wait a few seconds.
                {h().health?.encoder.lastError ? ` Reason: ${h().health!.encoder.lastError}.` : ''}
              </p>
            </Show>
            <Show when={h().live && h().health}>
              <div class="stream-control__panel">
                <a href={`/watch/${props.sessionId}`} target="_blank" rel="noopener">Open the live page</a>
                <ul class="stream-control__health" aria-label="Destinations">
                  <For each={h().health!.destinations}>
                    {(d) => <li data-state={d.state}>{d.name}: {describeDestination(d)}</li>}
                  </For>
                  <Show when={h().health!.droppedFrames > 0}><li>Encoder dropped {h().health!.droppedFrames} frames</li></Show>
                </ul>
              </div>
            </Show>
            <Show when={h().failure && !h().live}>
              <span class="field__error" role="alert" data-testid="stream-failure">The live stream ended by itself: {h().failure}</span>
            </Show>
          </>
        )}
      </Show>
      <Show when={error()}><span class="field__error" role="alert">{error()}</span></Show>
    </div>
  );
}
