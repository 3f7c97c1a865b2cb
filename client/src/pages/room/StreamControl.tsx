/**
 * Live streaming in the room's header: everyone sees when the session is streamed; hosts
 * choose destinations, start and stop, and read each destination's health (bitrate,
 * dropped frames, reconnects, the last error). The state is polled from the server every
 * few seconds, so a stream started by another host shows up too.
 */
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { describeDestination, streamingApi } from '../watch/api.ts';
import '../watch/watch.css';

const POLL_MS = 3_000;

export function StreamControl(props: { sessionId: string; isHost: boolean }) {
  const [status, { refetch }] = createResource(() => props.sessionId, (id) => streamingApi.status(id));
  const timer = setInterval(() => void refetch(), POLL_MS);
  onCleanup(() => clearInterval(timer));
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
            <Show when={h().failure && !h().live}><span class="field__error" role="alert">{h().failure}</span></Show>
          </>
        )}
      </Show>
      <Show when={error()}><span class="field__error" role="alert">{error()}</span></Show>
    </div>
  );
}
