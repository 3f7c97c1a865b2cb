/** An organizer's public page: name, logo and contact, their rating, upcoming and past events. */
import { A, useParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { api, ApiError } from '../../api/http.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { formatRange } from '../events/format.ts';
import { OrganizerRatings } from '../feedback/RatingSummary.tsx';
import { NotFoundPage } from '../NotFoundPage.tsx';
import '../feedback/feedback.css';

type ListedEvent = { id: string; slug: string; title: string; summary: string; startsAt: string; endsAt: string; cancelled: boolean };
type OrganizerProfile = {
  organizer: { id: string; name: string; slug: string; contactEmail: string | null; logoUrl: string | null };
  upcoming: ListedEvent[];
  past: ListedEvent[];
};

export function OrganizerPage() {
  const params = useParams<{ slug: string }>();
  const [profile] = createResource(() => params.slug, (slug) => api.get<OrganizerProfile>(`/organizers/${encodeURIComponent(slug)}`));
  const notFound = () => profile.error instanceof ApiError && (profile.error.status === 404 || profile.error.status === 400);
  return (
    <Show when={!notFound()} fallback={<NotFoundPage />}>
      <Show when={profile.error && !notFound()}>
        <p class="form-alert" role="alert">This organizer could not be loaded: {(profile.error as Error).message}</p>
      </Show>
      <Show when={profile.latest}>
        {(p) => (
          <article class="speaker-page">
            <div class="speaker-page__head">
              <Show when={p().organizer.logoUrl}>
                <img class="speaker-page__photo" src={p().organizer.logoUrl!} alt="" />
              </Show>
              <PageHeader title={p().organizer.name} lead="Organizer" />
            </div>
            <Show when={p().organizer.contactEmail}>
              {(mail) => <p>Contact: <a href={`mailto:${mail()}`}>{mail()}</a></p>}
            </Show>
            <OrganizerRatings organizationId={p().organizer.id} name={p().organizer.name} />
            <EventList title="Upcoming events" id="organizer-upcoming" events={p().upcoming} empty="No upcoming events right now." />
            <Show when={p().past.length > 0}>
              <EventList title="Past events" id="organizer-past" events={p().past} empty="" />
            </Show>
          </article>
        )}
      </Show>
    </Show>
  );
}

function EventList(props: { title: string; id: string; events: ListedEvent[]; empty: string }) {
  return (
    <section class="card" aria-labelledby={props.id}>
      <h2 class="card__title" id={props.id}>{props.title}</h2>
      <Show when={props.events.length > 0} fallback={<p class="form-note">{props.empty}</p>}>
        <ul class="testimonials__list">
          <For each={props.events}>
            {(e) => (
              <li>
                <A href={`/events/${e.slug}`}><strong>{e.title}</strong></A>
                <Show when={e.cancelled}> <span class="badge">Cancelled</span></Show>
                <p class="form-note">{formatRange(e.startsAt, e.endsAt)}</p>
                <Show when={e.summary}><p>{e.summary}</p></Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
