/**
 * A recording's player: hls.js (loaded with the player) where Media Source Extensions
 * exist, else the browser's native HLS (iPhone Safari). The chat replay beside it shows what was said up to the playback position.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { ChatLine, Playback } from './api.ts';

const clock = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function Player(props: { playback: Playback }) {
  let video!: HTMLVideoElement;
  let destroy = () => {};
  const [position, setPosition] = createSignal(0);
  const [error, setError] = createSignal('');
  const offset = () => props.playback.recording.trimStartMs ?? 0;
  const said = (): ChatLine[] => props.playback.chat.filter((m) => m.atMs <= position() + offset());

  onMount(async () => {
    const url = props.playback.playlistUrl;
    // hls.js wherever Media Source Extensions exist: Chromium now claims native HLS too, but
    // hls.js is the path that handles our AES-128 fMP4 everywhere MSE runs. Native HLS is
    // for Safari on iPhones without MSE.
    const { default: Hls } = await import('hls.js');
    if (!Hls.isSupported()) {
      if (video.canPlayType('application/vnd.apple.mpegurl')) video.src = url;
      else setError('This browser cannot play recordings.');
      return;
    }
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) setError(`Playback failed (${data.details}). Reload the page to get a fresh link.`);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    destroy = () => hls.destroy();
  });
  onCleanup(() => destroy());

  return (
    <div class="recording-player">
      <div class="recording-player__video">
        <video
          ref={video}
          controls
          playsinline
          poster={props.playback.posterUrl}
          aria-label={`Recording: ${props.playback.recording.title}`}
          onTimeUpdate={() => setPosition(video.currentTime * 1000)}
        />
        <Show when={error()}>
          <p class="form-alert" role="alert">{error()}</p>
        </Show>
      </div>
      <section class="recording-player__chat" aria-labelledby="chat-replay-title">
        <h2 class="card__title" id="chat-replay-title">Chat replay</h2>
        <Show when={props.playback.chat.length > 0} fallback={<p class="form-note">Nobody wrote in the chat during this recording.</p>}>
          <ol class="recording-player__lines" aria-live="off">
            <For each={said()}>
              {(m) => (
                <li>
                  <span class="recording-player__at">{clock(m.atMs)}</span> <strong>{m.author}</strong> {m.text}
                </li>
              )}
            </For>
          </ol>
        </Show>
      </section>
    </div>
  );
}
