/**
 * A recording's player: hls.js (loaded with the player) where Media Source Extensions
 * exist, else the browser's native HLS (iPhone Safari). Beside it (under it on a phone)
 * the replay of the chat, Q&A and polls grows as the video reaches each line, and shrinks
 * back on a seek; the chapter list and each line's time seek the video. The same chapters
 * and lines are WebVTT tracks on the video, for the browser's own menus.
 */
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import type { ActivityLine, ChatLine, Playback } from './api.ts';

const clock = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

type ReplayLine = { atMs: number; who: string; text: string; kind: 'chat' | 'qa' | 'poll' };

function replayLine(entry: ChatLine | ActivityLine): ReplayLine {
  if (!('kind' in entry)) return { atMs: entry.atMs, who: entry.author, text: entry.text, kind: 'chat' };
  switch (entry.kind) {
    case 'question.asked':
      return { atMs: entry.atMs, who: entry.author ? `Question from ${entry.author}` : 'Question', text: entry.text, kind: 'qa' };
    case 'question.answered':
      return { atMs: entry.atMs, who: 'Answered', text: entry.answer ? `${entry.text} — ${entry.answer}` : `${entry.text} (answered live)`, kind: 'qa' };
    case 'question.pinned':
      return { atMs: entry.atMs, who: 'Pinned question', text: entry.text, kind: 'qa' };
    case 'poll.opened':
      return { atMs: entry.atMs, who: 'Poll opened', text: `${entry.question} (${entry.options.join(' / ')})`, kind: 'poll' };
    case 'poll.closed':
      return { atMs: entry.atMs, who: 'Poll results', text: `${entry.question}: ${entry.results.map((r) => `${r.text} ${r.votes}`).join(', ')}`, kind: 'poll' };
  }
}

export function Player(props: { playback: Playback }) {
  let video!: HTMLVideoElement;
  let lines!: HTMLOListElement;
  let destroy = () => {};
  let disposed = false;
  const [position, setPosition] = createSignal(0);
  const [error, setError] = createSignal('');
  const sidecar = () => props.playback.sidecar;
  const all = createMemo(() => {
    const s = sidecar();
    return s ? [...s.chat, ...s.activity].map(replayLine).sort((a, b) => a.atMs - b.atMs) : [];
  });
  // Lines are sorted: what was said up to the position is a prefix.
  const said = createMemo(() => {
    const at = position();
    const list = all();
    let n = 0;
    while (n < list.length && list[n].atMs <= at) n++;
    return list.slice(0, n);
  });
  const chapterAt = createMemo(() => sidecar()?.chapters.findLast((c) => c.startMs <= position()) ?? null);
  const seek = (ms: number) => {
    video.currentTime = ms / 1000;
    setPosition(ms);
  };
  // Keep the newest line in view as the replay grows (not while the viewer scrolled up to read).
  createEffect(on(() => said().length, () => {
    if (lines && lines.scrollHeight - lines.scrollTop - lines.clientHeight < 80) lines.scrollTop = lines.scrollHeight;
  }));

  onMount(async () => {
    const url = props.playback.playlistUrl;
    // hls.js wherever Media Source Extensions exist: Chromium now claims native HLS too, but
    // hls.js is the path that handles our AES-128 fMP4 everywhere MSE runs. Native HLS is
    // for Safari on iPhones without MSE.
    const { default: Hls } = await import('hls.js');
    // Left before hls.js arrived: the cleanup already ran, so start nothing.
    if (disposed) return;
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
  onCleanup(() => {
    disposed = true;
    destroy();
  });

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
          onSeeked={() => setPosition(video.currentTime * 1000)}
        >
          <Show when={sidecar()}>
            <track kind="chapters" label="Chapters" srclang="en" src={props.playback.chaptersUrl} default />
            <track kind="captions" label="Chat, Q&A and polls" srclang="en" src={props.playback.activityUrl} />
          </Show>
        </video>
        <Show when={error()}>
          <p class="form-alert" role="alert">{error()}</p>
        </Show>
        <Show when={(sidecar()?.chapters.length ?? 0) > 1}>
          <nav class="recording-player__chapters" aria-label="Chapters">
            <h2 class="card__title">Chapters</h2>
            <ol>
              <For each={sidecar()!.chapters}>
                {(c) => (
                  <li>
                    <button type="button" class="recording-player__seek" aria-current={chapterAt() === c ? 'true' : undefined} onClick={() => seek(c.startMs)}>
                      <span class="recording-player__at">{clock(c.startMs)}</span> {c.title}
                    </button>
                  </li>
                )}
              </For>
            </ol>
          </nav>
        </Show>
      </div>
      <section class="recording-player__chat" aria-labelledby="chat-replay-title">
        <h2 class="card__title" id="chat-replay-title">Chat replay</h2>
        <Show when={all().length > 0} fallback={<p class="form-note">Nobody wrote in the chat, asked or voted during this recording.</p>}>
          <Show when={said().length === 0}>
            <p class="form-note">The chat appears here as the video plays.</p>
          </Show>
          <ol class="recording-player__lines" aria-live="off" ref={lines}>
            <For each={said()}>
              {(m) => (
                <li class={`recording-player__line recording-player__line--${m.kind}`} data-at={m.atMs}>
                  <button type="button" class="recording-player__seek recording-player__at" aria-label={`Play from ${clock(m.atMs)}`} onClick={() => seek(m.atMs)}>
                    {clock(m.atMs)}
                  </button>{' '}
                  <strong>{m.who}</strong> {m.text}
                </li>
              )}
            </For>
          </ol>
        </Show>
      </section>
    </div>
  );
}
