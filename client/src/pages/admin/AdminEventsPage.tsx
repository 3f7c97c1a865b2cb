import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { createFormState, FormMessages } from '../account/form.tsx';
import { organizeApi, type QueueItem, STATUS_LABELS } from '../organize/api.ts';
import { SelectField } from '../organize/controls.tsx';
import { formatInZone } from '../organize/time.ts';
import { AdminFrame } from './AdminFrame.tsx';

const STATUSES = [['submitted', 'Waiting for review'], ['changes_requested', 'Changes requested'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['draft', 'Drafts'], ['cancelled', 'Cancelled'], ['all', 'All']] as const;
const VISIBILITIES = [['', 'Any visibility'], ['public', 'Public'], ['unlisted', 'Unlisted'], ['invite_only', 'Invite-only']] as const;

/** The approval queue: events waiting for an admin's decision, with filters. */
export function AdminEventsPage() {
  const [status, setStatus] = createSignal<string>('submitted');
  const [visibility, setVisibility] = createSignal<string>('');
  const [query, setQuery] = createSignal('');
  const [search, setSearch] = createSignal('');
  const [queue, { refetch }] = createResource(() => ({ status: status(), visibility: visibility(), q: search() }), (f) => organizeApi.queue(f));
  return (
    <AdminFrame title="Admin" lead="Events waiting for approval, and every decision taken.">
      <form class="admin-search admin-filters" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(query().trim()); }}>
        <SelectField id="queue-status" label="Status" value={status()} options={STATUSES} onValue={setStatus} />
        <SelectField id="queue-visibility" label="Visibility" value={visibility()} options={VISIBILITIES} onValue={setVisibility} />
        <div class="field">
          <label class="field__label" for="queue-search">Title or organization</label>
          <input id="queue-search" class="field__input" type="search" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button">Search</button>
      </form>
      <p class="admin-count" role="status">{queue() ? `${queue()!.events.length} event${queue()!.events.length === 1 ? '' : 's'}` : ''}</p>
      <ul class="admin-list">
        <For each={queue()?.events}>{(event) => <QueueRow event={event} decided={() => void refetch()} />}</For>
      </ul>
    </AdminFrame>
  );
}

function QueueRow(props: { event: QueueItem; decided: () => void }) {
  const [comment, setComment] = createSignal('');
  const form = createFormState<'comment'>();
  const decide = (decision: 'approved' | 'changes_requested' | 'rejected') =>
    void form.run(async () => { await organizeApi.review(props.event.id, decision, comment()); props.decided(); }, ['comment']);
  return (
    <li class="admin-list__item" aria-label={props.event.title}>
      <div class="admin-list__who">
        <strong>{props.event.title}</strong> <span class="admin-list__email">{props.event.organizationName}</span>
        <div class="admin-list__badges">
          <span class="badge">{STATUS_LABELS[props.event.status]}</span>
          <span class="badge">{props.event.visibility.replace('_', '-')}</span>
          <span class="admin-list__email">{formatInZone(props.event.startsAt, props.event.timeZone)}</span>
          <A href={`/events/${props.event.slug}`}>Preview</A>
        </div>
      </div>
      <Show when={props.event.status === 'submitted'}>
        <div class="admin-ban">
          <label class="field__label" for={`review-${props.event.id}`}>Comment for the organizer (needed unless approving)</label>
          <input id={`review-${props.event.id}`} class="field__input" value={comment()} onInput={(e) => setComment(e.currentTarget.value)} maxlength={2000} />
          <div class="admin-list__actions">
            <button type="button" class="button button--primary" onClick={() => decide('approved')}>Approve</button>
            <button type="button" class="button" onClick={() => decide('changes_requested')}>Request changes</button>
            <button type="button" class="button" onClick={() => decide('rejected')}>Reject</button>
          </div>
        </div>
      </Show>
      <FormMessages alert={form.errors().comment ?? form.alert()} />
    </li>
  );
}
