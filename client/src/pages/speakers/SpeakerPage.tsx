/** A speaker's public page: photo, bio, links, their sessions in the event, their rating and testimonials. */
import { A, useParams, useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { api, ApiError } from '../../api/http.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { formatRange } from '../events/format.ts';
import type { PublicComment, Summary } from '../feedback/api.ts';
import { RatingSummary, Testimonials } from '../feedback/RatingSummary.tsx';
import { NotFoundPage } from '../NotFoundPage.tsx';
import '../feedback/feedback.css';

type SpeakerProfile = {
  speaker: { id: string; name: string; title: string; bio: string; links: { label: string; url: string }[]; photoUrl: string | null };
  event: { id: string; slug: string; title: string };
  sessions: { id: string; title: string; description: string; startsAt: string; endsAt: string; track: string }[];
  rating: Summary;
  testimonials: PublicComment[];
};

export function SpeakerPage() {
  const params = useParams<{ speakerId: string }>();
  // An invite-only event's speaker opens with the access code its event page passed on.
  const [search] = useSearchParams<{ code?: string }>();
  const codeQuery = () => (search.code ? `?${new URLSearchParams({ code: search.code })}` : '');
  const [profile] = createResource(() => [params.speakerId, codeQuery()] as const, ([id, query]) => api.get<SpeakerProfile>(`/speakers/${id}${query}`));
  const notFound = () => profile.error instanceof ApiError && (profile.error.status === 404 || profile.error.status === 400);
  return (
    <Show when={!notFound()} fallback={<NotFoundPage />}>
      <Show when={profile.latest}>
        {(p) => (
          <article class="speaker-page">
            <div class="speaker-page__head">
              <Show when={p().speaker.photoUrl}>
                <img class="speaker-page__photo" src={p().speaker.photoUrl!} alt="" />
              </Show>
              <PageHeader title={p().speaker.name} lead={p().speaker.title || undefined} />
            </div>
            <RatingSummary summary={p().rating} />
            <Show when={p().speaker.bio}>
              <p class="speaker-page__bio">{p().speaker.bio}</p>
            </Show>
            <Show when={p().speaker.links.length}>
              <ul class="speaker-page__links" aria-label="Links">
                <For each={p().speaker.links}>{(l) => <li><a href={l.url} rel="noopener" target="_blank">{l.label}</a></li>}</For>
              </ul>
            </Show>
            <section class="card" aria-labelledby="speaker-sessions">
              <h2 class="card__title" id="speaker-sessions">Sessions at <A href={`/events/${p().event.slug}${codeQuery()}`}>{p().event.title}</A></h2>
              <ul class="testimonials__list">
                <For each={p().sessions}>
                  {(s) => (
                    <li>
                      <strong>{s.title}</strong>
                      <p class="form-note">{formatRange(s.startsAt, s.endsAt)}{s.track ? ` · ${s.track}` : ''}</p>
                    </li>
                  )}
                </For>
              </ul>
            </section>
            <Testimonials comments={p().testimonials} />
          </article>
        )}
      </Show>
    </Show>
  );
}
