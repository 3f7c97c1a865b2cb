/**
 * `/watch/:sessionId`: the session's live HLS for view-only attendees (and for those a
 * full room turned away). hls.js where Media Source Extensions exist, else the browser's
 * own HLS (iPhone Safari). Links are short-lived: a fatal error fetches a fresh one, and
 * a stream that has not started (or ended) is looked for again every few seconds.
 */
import { useParams } from '@solidjs/router';
import { createResource, createSignal, onCleanup, onMount, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { streamingApi } from './api.ts';
import './watch.css';

const RETRY_MS = 5_000;

export function WatchPage() {
  const params = useParams<{ sessionId: string }>();
  const [link, { refetch }] = createResource(() => params.sessionId, (id) => streamingApi.watch(id));
  return (
    <div class="watch-page">
      <Show when={!link.error} fallback={<Refused error={link.error} sessionId={params.sessionId} />}>
        {/* Keyed: a renewed link starts a fresh player. */}
        <Show when={link.latest} keyed fallback={<p class="loading" role="status">Opening the live stream…</p>}>
          {(loaded) => (
            <>
              <h1 class="watch-page__title">{loaded.title}</h1>
              <LivePlayer playlistUrl={loaded.playlistUrl} renew={() => void refetch()} />
              <p class="form-note">You are watching the live stream, a few seconds behind the room.</p>
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}

function Refused(props: { error: unknown; sessionId: string }) {
  const e = () => (props.error instanceof ApiError ? props.error : null);
  return (
    <section class="notice notice--error" role="alert" data-testid="watch-refused">
      <div>
        <h1 class="notice__title">You cannot watch this session</h1>
        <p>{e()?.message ?? 'Something went wrong.'}</p>
        <Show when={e()?.status === 401}>
          <a class="button button--primary" href={`/log-in?next=${encodeURIComponent(`/watch/${props.sessionId}`)}`}>Log in</a>
        </Show>
      </div>
    </section>
  );
}

function LivePlayer(props: { playlistUrl: string; renew: () => void }) {
  let video!: HTMLVideoElement;
  const [state, setState] = createSignal<'waiting' | 'playing' | 'offline' | 'unsupported'>('waiting');
  let destroy = () => {};
  let retry: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  onCleanup(() => {
    disposed = true;
    clearTimeout(retry);
    destroy();
  });

  onMount(async () => {
    const { default: Hls } = await import('hls.js');
    // Left before hls.js arrived: the cleanup already ran, so start nothing.
    if (disposed) return;
    if (!Hls.isSupported()) {
      if (video.canPlayType('application/vnd.apple.mpegurl')) video.src = props.playlistUrl;
      else setState('unsupported');
      return;
    }
    // Three segments behind the live edge: a few seconds of delay, few stalls.
    const hls = new Hls({ liveSyncDurationCount: 3, lowLatencyMode: false });
    destroy = () => hls.destroy();
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      const status = (data.response as { code?: number } | undefined)?.code;
      if (status === 403) return props.renew();
      // Not streaming (yet, or any more): look again in a moment.
      setState('offline');
      clearTimeout(retry);
      retry = setTimeout(() => hls.loadSource(props.playlistUrl), RETRY_MS);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      setState('playing');
      void video.play().catch(() => {});
    });
    hls.loadSource(props.playlistUrl);
    hls.attachMedia(video);
  });

  return (
    <div class="watch-player">
      <video ref={video} class="watch-player__video" controls playsinline muted autoplay aria-label="Live stream" data-testid="live-video" />
      <p class="watch-player__state" role="status" aria-live="polite">
        {state() === 'offline' ? 'The stream is not live right now; it starts here as soon as a host begins it.' : state() === 'unsupported' ? 'This browser cannot play live streams.' : state() === 'waiting' ? 'Connecting…' : ''}
      </p>
    </div>
  );
}
