/**
 * Ratings for public pages: `RatingSummary` (average, stars and count of one target),
 * `Testimonials` (the comments the organizer featured, with their replies), and
 * `EventRatings` / `OrganizerRatings`, which load both for an event's or an organization's
 * page to mount.
 */
import { createResource, For, Show } from 'solid-js';
import { api } from '../../api/http.ts';
import { feedbackApi, type PublicComment, type Summary } from './api.ts';
import { StarDisplay } from './Stars.tsx';
import './feedback.css';

export function RatingSummary(props: { summary: Summary; label?: string }) {
  return (
    <p class="rating-summary">
      <Show when={props.summary.count > 0} fallback={<span class="rating-summary__none">No ratings yet</span>}>
        <StarDisplay stars={props.summary.average ?? 0} />
        <strong class="rating-summary__average">{props.summary.average?.toFixed(1)}</strong>
        <span class="rating-summary__count">
          {props.summary.count === 1 ? '1 rating' : `${props.summary.count} ratings`}
          <Show when={props.label}> for {props.label}</Show>
        </span>
      </Show>
    </p>
  );
}

export function Testimonials(props: { comments: PublicComment[]; title?: string }) {
  return (
    <Show when={props.comments.length > 0}>
      <section class="testimonials" aria-label={props.title ?? 'What attendees said'}>
        <h2 class="testimonials__title">{props.title ?? 'What attendees said'}</h2>
        <ul class="testimonials__list">
          <For each={props.comments}>
            {(c) => (
              <li class="testimonial">
                <StarDisplay stars={c.stars} />
                <blockquote class="testimonial__quote">{c.comment}</blockquote>
                <p class="testimonial__author">{c.author}</p>
                <Show when={c.reply}>
                  <p class="testimonial__reply"><span class="testimonial__reply-label">Organizer's reply:</span> {c.reply}</p>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

/** The event's average and its testimonials; renders nothing until someone rated it. */
/** `code`: the access code an invite-only event's page was opened with. */
export function EventRatings(props: { eventId: string; code?: string }) {
  const [summary] = createResource(() => [props.eventId, props.code] as const, ([id, code]) => feedbackApi.summary(id, code));
  return (
    <Show when={summary.latest && (summary.latest.event.count > 0 || summary.latest.testimonials.length > 0)}>
      <section class="event-ratings" aria-labelledby="event-ratings-title">
        <h2 id="event-ratings-title" class="event-ratings__title">Ratings</h2>
        <RatingSummary summary={summary.latest!.event} />
        <Testimonials comments={summary.latest!.testimonials} />
      </section>
    </Show>
  );
}

/** The organizer's rating across its published events, with its testimonials. */
export function OrganizerRatings(props: { organizationId: string; name?: string }) {
  const [data] = createResource(() => props.organizationId, (id) =>
    api.get<{ rating: Summary; testimonials: PublicComment[] }>(`/organizations/${id}/ratings`));
  return (
    <Show when={data.latest && data.latest.rating.count > 0}>
      <section class="event-ratings" aria-labelledby="organizer-ratings-title">
        <h2 id="organizer-ratings-title" class="event-ratings__title">{props.name ? `${props.name}, as rated by attendees` : 'The organizer, as rated by attendees'}</h2>
        <RatingSummary summary={data.latest!.rating} />
        <Testimonials comments={data.latest!.testimonials} title="What attendees said about the organizer" />
      </section>
    </Show>
  );
}
