import { A, useParams, useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createResource, For, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { LobbyChat } from '../../chat/LobbyChat.tsx';
import { CalendarIcon, TicketIcon } from '../../ui/icons.tsx';
import { EventRatings } from '../feedback/RatingSummary.tsx';
import { NotFoundPage } from '../NotFoundPage.tsx';
import { SponsorStrip } from '../sponsors/SponsorStrip.tsx';
import { discoveryApi, type PublicEvent } from './api.ts';
import { formatDay, formatPrice, formatRange, formatTime, VENUE_LABEL, zoneNote } from './format.ts';
import { createReplays, replayHref } from '../recordings/replays.ts';
import { ShareButtons } from './ShareButtons.tsx';
import './events.css';

type TicketType = PublicEvent['ticketTypes'][number];

const STATE_LABEL: Record<TicketType['state'], string> = {
  on_sale: 'On sale',
  not_started: 'Sale not started',
  ended: 'Sale ended',
  sold_out: 'Sold out',
  unavailable: 'Not on sale',
};

/** One event's public page: when, what, who speaks, the tickets, and share links. */
export function EventPage() {
  const params = useParams<{ slug: string }>();
  const [search] = useSearchParams<{ code?: string }>();
  const [event] = createResource(() => [params.slug, search.code] as const, ([slug, code]) => discoveryApi.event(slug, code).then((r) => r.event));
  const notFound = () => event.error instanceof ApiError && event.error.status === 404;
  createEffect(() => {
    if (event.latest) document.title = `${event.latest.title} · Plenary`;
  });
  return (
    <Show when={!notFound()} fallback={<NotFoundPage />}>
      <Show when={event.error}>
        <p class="form-alert" role="alert">The event could not be loaded: {(event.error as Error).message}</p>
      </Show>
      <Show when={event.latest}>{(e) => <EventView event={e()} code={search.code} />}</Show>
    </Show>
  );
}

function EventView(props: { event: PublicEvent; code?: string }) {
  const e = () => props.event;
  const shareUrl = () => `${location.origin}/events/${e().slug}${e().visibility === 'invite_only' && props.code ? `?code=${encodeURIComponent(props.code)}` : ''}`;
  // An invite-only event's cover and speakers go to whoever may see the page: to a visitor who
  // opened it with its code, with that code.
  const openedWith = () => (props.code && e().visibility === 'invite_only' && e().accessCode === 'accepted' ? props.code : undefined);
  const withCode = (url: string) => {
    const code = openedWith();
    return code ? `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ code })}` : url;
  };
  const coverSrc = () => e().coverUrl && withCode(e().coverUrl!);
  const speakerName = createMemo(() => new Map(e().speakers.map((s) => [s.id, s.name])));
  // Not for a draft preview: recordings belong to a published event.
  const replays = createReplays(() => (e().preview ? undefined : e().id));
  // Sessions grouped by their day in the viewer's zone.
  const days = createMemo(() => {
    const groups = new Map<string, PublicEvent['sessions']>();
    for (const s of e().sessions) groups.set(formatDay(s.startsAt), [...(groups.get(formatDay(s.startsAt)) ?? []), s]);
    return [...groups.entries()];
  });
  return (
    <article class="event-page">
      <header class="event-hero">
        <Show when={coverSrc()}>
          {/* Should the cover still be refused (codes paused after many wrong ones), no broken image. */}
          {(src) => <img class="event-hero__cover" src={src()} alt="" width="1600" height="800" onError={(ev) => ev.currentTarget.remove()} />}
        </Show>
        <p class="event-hero__org">{e().organization.name}</p>
        <h1 class="page-header__title">{e().title}</h1>
        <Show when={e().summary}><p class="page-header__lead">{e().summary}</p></Show>
        <p class="event-hero__when"><CalendarIcon size={18} /> <span>{formatRange(e().startsAt, e().endsAt)}</span></p>
        <p class="event-hero__zone">{zoneNote(e().startsAt, e().timeZone)}</p>
        <p class="event-card__meta">
          <span>{VENUE_LABEL[e().venueType]}{e().venueAddress ? ` · ${e().venueAddress}` : ''}</span>
          <Show when={e().category}><span class="event-badge">{e().category}</span></Show>
          <For each={e().tags}>{(tag) => <span class="event-badge event-badge--tag">#{tag}</span>}</For>
        </p>
      </header>
      <Show when={e().status === 'cancelled'}>
        <p class="event-banner event-banner--danger" role="note">This event was cancelled.{e().cancelReason ? ` ${e().cancelReason}` : ''}</p>
      </Show>
      <Show when={e().accessCode === 'rejected'}>
        <p class="event-banner" role="note">The access code in this link does not unlock anything for this event.</p>
      </Show>
      <Show when={e().preview}>
        <p class="event-banner" role="note">Preview: this event is not published yet (status: {e().status.replace('_', ' ')}). Only its organizers can see this page.</p>
      </Show>

      <div class="event-layout">
        <aside class="event-aside">
          <Tickets event={e()} code={props.code} />
          <section class="event-section" aria-labelledby="organizer-title">
            <h2 id="organizer-title" class="event-section__title">Organizer</h2>
            <p><A href={`/organizers/${e().organization.slug}`}><strong>{e().organization.name}</strong></A></p>
            <Show when={e().organization.contactEmail}>{(mail) => <p><a href={`mailto:${mail()}`}>{mail()}</a></p>}</Show>
          </section>
          <ShareButtons url={shareUrl()} title={e().title} />
        </aside>
        <div class="event-main">
          <Show when={e().descriptionHtml}>
            <section class="event-section" aria-labelledby="about-title">
              <h2 id="about-title" class="event-section__title">About</h2>
              {/* Sanitized by the events module when the organizer saved it. */}
              <div class="event-description" innerHTML={e().descriptionHtml} />
            </section>
          </Show>
          <section class="event-section" aria-labelledby="schedule-title">
            <h2 id="schedule-title" class="event-section__title">Schedule</h2>
            <Show when={e().sessions.length > 0} fallback={<p class="muted">The schedule has not been published yet.</p>}>
              <For each={days()}>
                {([day, sessions]) => (
                  <>
                    <h3 class="schedule__day">{day}</h3>
                    <ol class="schedule">
                      <For each={sessions}>
                        {(s) => (
                          <li class="schedule__item">
                            <p class="schedule__time">
                              <time datetime={s.startsAt}>{formatTime(s.startsAt)}</time> – <time datetime={s.endsAt}>{formatTime(s.endsAt)}</time>
                            </p>
                            <div>
                              <h4 class="schedule__title">{s.title}</h4>
                              <Show when={s.track}><p class="muted">{s.track}</p></Show>
                              <Show when={s.speakerIds.length > 0}>
                                <p class="schedule__speakers">With {s.speakerIds.map((id) => speakerName().get(id)).filter(Boolean).join(', ')}</p>
                              </Show>
                              <Show when={s.description}><p>{s.description}</p></Show>
                              <Show when={s.liveRoom && e().status !== 'cancelled' && !e().preview}>
                                <p><A class="button button--primary" href={`/rooms/${s.id}`}>Join live</A></p>
                              </Show>
                              <For each={replays().get(s.id) ?? []}>
                                {(r) => <p><A class="button" href={replayHref(e().id, r.id)} aria-label={`Watch the replay of ${r.title}`}>Watch the replay</A></p>}
                              </For>
                            </div>
                          </li>
                        )}
                      </For>
                    </ol>
                  </>
                )}
              </For>
            </Show>
          </section>
          <Show when={e().speakers.length > 0}>
            <section class="event-section" aria-labelledby="speakers-title">
              <h2 id="speakers-title" class="event-section__title">Speakers</h2>
              <ul class="speakers">
                <For each={e().speakers}>
                  {(s) => (
                    <li class="speaker">
                      <h3 class="speaker__name"><A href={withCode(`/speakers/${s.id}`)}>{s.name}</A></h3>
                      <Show when={s.title}><p class="muted">{s.title}</p></Show>
                      <Show when={s.bio}><p>{s.bio}</p></Show>
                      <Show when={s.links.length > 0}>
                        <p class="speaker__links">
                          <For each={s.links}>{(l) => <a href={l.url} rel="noopener noreferrer nofollow" target="_blank">{l.label}</a>}</For>
                        </p>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </section>
          </Show>
          <Show when={e().viewer.lobbyChat && e().status !== 'cancelled'}>
            <section class="event-section" aria-labelledby="lobby-chat-title">
              <h2 id="lobby-chat-title" class="event-section__title">Lobby chat</h2>
              <p class="muted">For everyone with a ticket, the speakers and the organizers.</p>
              <LobbyChat eventId={e().id} />
            </section>
          </Show>
          <SponsorStrip eventId={e().id} placement="event_page" code={openedWith()} />
          <Show when={e().viewer.rate}>
            <p class="event-section"><A class="button" href={`/events/${e().slug}/feedback`}>Rate this event</A></p>
          </Show>
          <EventRatings eventId={e().id} code={openedWith()} />
        </div>
      </div>
    </article>
  );
}

function Tickets(props: { event: PublicEvent; code?: string }) {
  const onSale = () => props.event.ticketTypes.some((t) => t.state === 'on_sale');
  const checkout = () => `/events/${props.event.slug}/checkout${props.code ? `?code=${encodeURIComponent(props.code)}` : ''}`;
  return (
    <section class="event-section tickets" aria-labelledby="tickets-title">
      <h2 id="tickets-title" class="event-section__title">Tickets</h2>
      <Show when={props.event.ticketTypes.length > 0} fallback={<p class="muted">No tickets are offered yet.</p>}>
        <ul class="ticket-types">
          <For each={props.event.ticketTypes}>
            {(t) => (
              <li class="ticket-type">
                <div class="ticket-type__head">
                  <span class="ticket-type__name">{t.name}</span>
                  <span class="ticket-type__price">{formatPrice(t.price, t.currency)}</span>
                </div>
                <Show when={t.description}><p class="muted">{t.description}</p></Show>
                <p class={`ticket-type__state ticket-type__state--${t.state}`}>
                  {STATE_LABEL[t.state]}
                  <Show when={t.state === 'on_sale' && t.remaining <= 20}> · {t.remaining} left</Show>
                  <Show when={t.state === 'not_started' && t.saleStartsAt}>{(at) => <> · opens {formatDay(at())}, {formatTime(at())}</>}</Show>
                </p>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={onSale()}>
        <A class="button button--primary button--block" href={checkout()}><TicketIcon size={18} /> Get tickets</A>
      </Show>
    </section>
  );
}
