/**
 * The live sponsor overlay of a session, as attendees see it over the stage: a banner
 * across the top or a lower third, shown and changed by the session's hosts. Mount it in a
 * positioned container (the room's stage); it watches `sponsors.overlay` pushes and
 * re-subscribes after a reconnect.
 */
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { onPush } from '../../chat/protocol.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';
import { type OverlayState, visitUrl } from './api.ts';
import './sponsors.css';

export function SponsorOverlay(props: { sessionId: string }) {
  const { client } = useRealtime();
  const [overlay, setOverlay] = createSignal<OverlayState | null>(null);
  const watch = () =>
    client.request('sponsors.overlay.watch', { sessionId: props.sessionId }).then((r) => setOverlay(r.overlay), () => undefined);
  const offs = [
    onPush(client, 'sponsors.overlay', (push) => push.overlay.sessionId === props.sessionId && setOverlay(push.overlay)),
    client.onStatus((s) => s === 'open' && void watch()),
  ];
  onMount(() => void watch());
  onCleanup(() => offs.forEach((off) => off()));
  return (
    <div class="sponsor-overlay" aria-live="polite">
      <Show when={overlay()?.sponsor}>
        {(sponsor) => (
          <aside class={`sponsor-overlay__card sponsor-overlay__card--${overlay()!.style}`} aria-label={`Sponsor: ${sponsor().name}`} data-sponsor-id={sponsor().id}>
            <Show when={overlay()!.style === 'banner' && sponsor().bannerUrl} fallback={
              <Show when={sponsor().logoUrl}>
                <img class="sponsor-overlay__logo" src={sponsor().logoUrl} alt="" />
              </Show>
            }>
              <img class="sponsor-overlay__banner" src={sponsor().bannerUrl} alt="" />
            </Show>
            <div class="sponsor-overlay__text">
              <span class="sponsor-overlay__eyebrow">Sponsored by</span>
              <Show when={sponsor().link} fallback={<strong class="sponsor-overlay__name">{sponsor().name}</strong>}>
                <a class="sponsor-overlay__name" href={visitUrl(sponsor().id, 'overlay')} target="_blank" rel="noopener sponsored">{sponsor().name}</a>
              </Show>
              <Show when={sponsor().description}>
                <span class="sponsor-overlay__description">{sponsor().description}</span>
              </Show>
            </div>
          </aside>
        )}
      </Show>
    </div>
  );
}
