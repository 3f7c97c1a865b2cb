/**
 * The event's sponsors by tier, for the event page, the lobby or the room's side: logos
 * sized by tier, each linking through the counting redirect. Reports one impression per
 * sponsor shown, once per mount. Renders nothing when the event has no sponsors.
 */
import { createEffect, createResource, For, on, Show } from 'solid-js';
import { type Placement, sponsorsApi, visitUrl } from './api.ts';
import './sponsors.css';

/** `code`: the access code an invite-only event's page was opened with, passed on to every call. */
export function SponsorStrip(props: { eventId: string; placement: Placement; title?: string; code?: string }) {
  const [tiers] = createResource(() => [props.eventId, props.code] as const, ([id, code]) => sponsorsApi.list(id, code).then((r) => r.tiers));
  const shown = () => (tiers.latest ?? []).filter((t) => t.sponsors.length > 0);
  createEffect(
    on(shown, (list) => {
      const ids = list.flatMap((t) => t.sponsors.map((s) => s.id));
      if (ids.length) void sponsorsApi.impressions(ids, props.placement, props.code).catch(() => undefined);
    }),
  );
  return (
    <Show when={shown().length > 0}>
      <section class="sponsor-strip" aria-labelledby={`sponsors-${props.placement}`}>
        <h2 class="sponsor-strip__title" id={`sponsors-${props.placement}`}>{props.title ?? 'Sponsors'}</h2>
        <For each={shown()}>
          {(tier) => (
            <div class={`sponsor-strip__tier sponsor-strip__tier--${tier.logoSize}`}>
              <h3 class="sponsor-strip__tier-name">{tier.name}</h3>
              <ul class="sponsor-strip__list">
                <For each={tier.sponsors}>
                  {(sponsor) => (
                    <li class="sponsor-strip__item">
                      <Show when={sponsor.link} fallback={<SponsorMark name={sponsor.name} logoUrl={sponsor.logoUrl} />}>
                        <a class="sponsor-strip__link" href={visitUrl(sponsor.id, props.placement, props.code)} target="_blank" rel="noopener sponsored">
                          <SponsorMark name={sponsor.name} logoUrl={sponsor.logoUrl} />
                        </a>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          )}
        </For>
      </section>
    </Show>
  );
}

function SponsorMark(props: { name: string; logoUrl: string }) {
  return (
    <Show when={props.logoUrl} fallback={<span class="sponsor-strip__name">{props.name}</span>}>
      <img class="sponsor-strip__logo" src={props.logoUrl} alt={props.name} loading="lazy" />
    </Show>
  );
}
