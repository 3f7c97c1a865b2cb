/**
 * `/organize/events/:id/streaming`: the event's RTMP(S) destinations (YouTube, Twitch,
 * any ingest) and the health of its sessions' live streams. Stream keys are written once
 * and shown only by their last four characters.
 */
import { useParams } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { describeDestination, type DestinationInput, streamingApi } from './api.ts';
import './watch.css';

const EMPTY: DestinationInput = { name: '', ingestUrl: '', streamKey: '' };

export function StreamDestinationsPage() {
  const params = useParams<{ id: string }>();
  const [data, { refetch }] = createResource(() => params.id, (id) => streamingApi.destinations(id));
  const timer = setInterval(() => void refetch(), 5_000);
  onCleanup(() => clearInterval(timer));
  const [input, setInput] = createSignal<DestinationInput>({ ...EMPTY });
  const [error, setError] = createSignal('');
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({});
  const set = (key: keyof DestinationInput) => (value: string) => setInput({ ...input(), [key]: value });
  const run = async (action: () => Promise<unknown>) => {
    setError('');
    setFieldErrors({});
    try {
      await action();
      await refetch();
      return true;
    } catch (e) {
      if (e instanceof ApiError) {
        setError(e.message);
        setFieldErrors(Object.fromEntries(e.fields.map((f) => [f.path, f.message])));
      } else setError('Something went wrong');
      return false;
    }
  };

  return (
    <div class="stream-destinations">
      <PageHeader title="Live streaming" lead="Where hosts can push a session's live stream, and how each stream is doing." />
      <Show when={error()}><p class="form-alert" role="alert">{error()}</p></Show>

      <section class="card" aria-labelledby="live-now-title">
        <h2 class="card__title" id="live-now-title">Live now</h2>
        <Show when={(data.latest?.live.length ?? 0) > 0} fallback={<p class="form-note">No session of this event is streaming.</p>}>
          <For each={data.latest!.live}>
            {(stream) => (
              <div>
                <h3>{stream.title} <a href={`/watch/${stream.sessionId}`}>watch</a></h3>
                <ul class="stream-control__health">
                  <For each={stream.health.destinations} fallback={<li>Live HLS only</li>}>
                    {(d) => <li data-state={d.state}>{d.name}: {describeDestination(d)}</li>}
                  </For>
                </ul>
              </div>
            )}
          </For>
        </Show>
      </section>

      <section class="card" aria-labelledby="destinations-title">
        <h2 class="card__title" id="destinations-title">Destinations</h2>
        <ul class="stream-destinations__list">
          <For each={data.latest?.destinations ?? []} fallback={<li class="form-note">No destination yet: streams go to this site's live page only.</li>}>
            {(d) => (
              <li>
                <span>{d.name} <span class="form-note">{d.ingestUrl} · key {d.streamKeyHint}</span></span>
                <button type="button" class="button" aria-label={`Delete destination ${d.name}`} onClick={() => void run(() => streamingApi.remove(d.id))}>Delete</button>
              </li>
            )}
          </For>
        </ul>
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => streamingApi.create(params.id, input())).then((ok) => ok && setInput({ ...EMPTY }));
          }}
        >
          <TextField id="destination-name" label="Name" value={input().name} onValue={set('name')} required maxLength={100} error={fieldErrors().name} />
          <TextField id="destination-url" label="Ingest URL" hint="rtmp:// or rtmps://, without the stream key" value={input().ingestUrl} onValue={set('ingestUrl')} required error={fieldErrors().ingestUrl} placeholder="rtmps://a.rtmp.youtube.com/live2" />
          <TextField id="destination-key" label="Stream key" type="password" revealable autocomplete="off" value={input().streamKey} onValue={set('streamKey')} required error={fieldErrors().streamKey} />
          <button type="submit" class="button button--primary">Add destination</button>
        </form>
      </section>
    </div>
  );
}
