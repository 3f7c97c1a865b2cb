/** Admins review comments attendees reported and hide abusive ones (the stars still count). */
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/http.ts';
import { AdminFrame } from '../admin/AdminFrame.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ShieldIcon } from '../../ui/icons.tsx';
import './feedback.css';

type ReportedRating = { id: string; stars: number; comment: string; reportedAt: string; hidden: boolean; eventTitle: string };

export function AdminRatingsPage() {
  const [ratings, { refetch }] = createResource(() => api.get<{ ratings: ReportedRating[] }>('/admin/ratings/reported').then((r) => r.ratings));
  const [status, setStatus] = createSignal('');
  const setHidden = async (rating: ReportedRating, hidden: boolean) => {
    try {
      await api.put(`/admin/ratings/${rating.id}/hidden`, { hidden, reason: hidden ? 'Reported and found abusive' : '' });
      setStatus(hidden ? 'Comment hidden.' : 'Comment shown again.');
      void refetch();
    } catch (e) {
      setStatus(e instanceof Error ? e.message : 'That did not work');
    }
  };
  return (
    <AdminFrame title="Reported comments" lead="Comments attendees reported. Hiding removes the words from every page; the stars still count.">
      <p class="form-note" role="status">{status()}</p>
      <Show when={(ratings.latest ?? []).length > 0} fallback={<EmptyState icon={<ShieldIcon size={28} />} title="Nothing reported"><p>No attendee has reported a comment.</p></EmptyState>}>
        <ul class="feedback-report__comments">
          <For each={ratings.latest}>
            {(r) => (
              <li class="feedback-report__comment">
                <p><strong>{r.stars}★</strong> {r.eventTitle} · reported {new Date(r.reportedAt).toLocaleString()}{r.hidden ? ' · hidden' : ''}</p>
                <blockquote class="testimonial__quote">{r.comment}</blockquote>
                <button type="button" class="button" onClick={() => void setHidden(r, !r.hidden)}>{r.hidden ? 'Show again' : 'Hide comment'}</button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </AdminFrame>
  );
}
