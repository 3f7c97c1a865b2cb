/**
 * One person's tile: their camera (or screen) when there is one, else their initials; name,
 * role, microphone state, raised hand and a network-quality indicator from the SFU's scores.
 * A remote video reports whether it is on screen and how wide, so the page pauses what
 * nobody sees and asks for a small simulcast layer for a small tile.
 */
import { createEffect, type JSX, onCleanup, Show } from 'solid-js';
import { Emoji } from '../../ui/emoji.tsx';

export type TileProps = {
  name: string;
  role: string;
  /** The video to show (camera or screen), if any. */
  track: () => MediaStreamTrack | undefined;
  /** Consumer id of a remote video (local previews have none). */
  consumerId?: string;
  microphone: 'on' | 'off' | 'none';
  hand: number | null;
  /** 0–10. */
  score: number;
  active: boolean;
  screen?: boolean;
  self?: boolean;
  onVisibility?: (consumerId: string, visible: boolean, width: number) => void;
  /** Per-tile controls (host actions). */
  children?: JSX.Element;
};

/** Good, fair or poor from a 0–10 score. */
export function quality(score: number): 'good' | 'fair' | 'poor' {
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : 'poor';
}

export function Tile(props: TileProps) {
  let video: HTMLVideoElement | undefined;
  let root: HTMLElement | undefined;

  createEffect(() => {
    const track = props.track();
    if (!video) return;
    video.srcObject = track ? new MediaStream([track]) : null;
  });

  // (Re)observes whenever the tile's remote video changes (it may arrive after the tile).
  createEffect(() => {
    const consumerId = props.consumerId;
    if (!root || !consumerId || !props.onVisibility) return;
    const report = (visible: boolean) => props.onVisibility?.(consumerId, visible, root!.clientWidth * devicePixelRatio);
    let visible = true;
    const observer = new IntersectionObserver(([entry]) => {
      visible = entry.isIntersecting;
      report(visible);
    });
    observer.observe(root);
    const resize = new ResizeObserver(() => report(visible));
    resize.observe(root);
    const onTabVisibility = () => report(visible);
    document.addEventListener('visibilitychange', onTabVisibility);
    onCleanup(() => {
      observer.disconnect();
      resize.disconnect();
      document.removeEventListener('visibilitychange', onTabVisibility);
    });
  });

  const initials = () => props.name.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase();
  const level = () => quality(props.score);

  return (
    <figure
      ref={root}
      class="tile"
      classList={{ 'tile--active': props.active, 'tile--screen': props.screen === true }}
      data-testid="tile"
      data-name={props.name}
      aria-label={`${props.name}${props.self ? ' (you)' : ''}, ${props.role}${props.microphone === 'off' ? ', muted' : ''}${props.hand ? ', hand raised' : ''}`}
    >
      <video ref={video} class="tile__video" classList={{ 'tile__video--mirror': props.self === true && !props.screen }} hidden={!props.track()} autoplay playsinline muted />
      <Show when={!props.track()}>
        <div class="tile__avatar" aria-hidden="true">{initials()}</div>
      </Show>
      <figcaption class="tile__caption">
        <span class="tile__name">{props.name}{props.self ? ' (you)' : ''}</span>
        <Show when={props.role !== 'attendee'}><span class="tile__role">{props.role}</span></Show>
        <Show when={props.microphone === 'off'}><span class="tile__badge" title="Microphone off">Muted</span></Show>
        <Show when={props.hand}><span class="tile__badge tile__badge--hand" title="Hand raised"><Emoji emoji="✋" size="1em" /> {props.hand}</span></Show>
        <span class={`quality quality--${level()}`} role="img" aria-label={`Network ${level()}`} title={`Network ${level()} (${props.score}/10)`}>
          <i /><i /><i />
        </span>
      </figcaption>
      <Show when={props.children}>
        <div class="tile__controls">{props.children}</div>
      </Show>
    </figure>
  );
}
