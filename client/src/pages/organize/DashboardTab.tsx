import { A } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { AnnouncementComposer } from '../../notifications/AnnouncementComposer.tsx';
import { type Dashboard, organizeApi } from './api.ts';
import type { TabProps } from './EventEditorPage.tsx';
import { createLiveCheckIns } from './live-checkins.ts';
import { formatInZone, formatMoney } from './time.ts';

const ACTIONS: Record<string, string> = {
  'event.create': 'created the event', 'event.update': 'edited the details', 'event.cover.set': 'changed the cover', 'event.cover.remove': 'removed the cover',
  'event.submit': 'submitted it for review', 'event.review': 'reviewed it', 'event.visibility': 'changed who can see it', 'event.cancel': 'cancelled it',
  'event.session.create': 'added a session', 'event.session.update': 'changed a session', 'event.session.delete': 'removed a session',
  'event.speaker.create': 'added a speaker', 'event.speaker.update': 'changed a speaker', 'event.speaker.delete': 'removed a speaker', 'event.speaker.photo': 'changed a speaker photo',
  'event.team.invite': 'invited someone to the team', 'event.team.uninvite': 'withdrew an invitation', 'event.team.join': 'joined the team',
  'event.team.reinvite': 'sent a team invitation again', 'event.speaker.invite': 'invited a speaker to link their account',
  'event.speaker.reinvite': 'sent a speaker invitation again', 'event.speaker.uninvite': 'withdrew a speaker invitation', 'event.speaker.join': 'linked their account to a speaker',
  'event.team.role': 'changed a team role', 'event.team.remove': 'removed a team member', 'event.duplicate': 'duplicated an event',
  'checkin.list.create': 'added a check-in list', 'checkin.list.update': 'changed a check-in list', 'checkin.list.delete': 'removed a check-in list',
  'ticketing.type.create': 'added a ticket type', 'ticketing.type.update': 'changed a ticket type', 'ticketing.type.delete': 'deleted a ticket type',
};

type Activity = Dashboard['activity'][number];

/** What was changed, when the entry says: the fields of an edit, or the name of what was added or removed. */
function changed(a: Activity): string {
  const after = (a.after ?? {}) as Record<string, unknown>;
  const before = (a.before ?? {}) as Record<string, unknown>;
  if (a.action === 'event.update') {
    const fields = Object.keys(after).filter((k) => k !== 'updated_at' && k !== 'description_html').map((k) => k.replace(/_/g, ' '));
    return fields.length ? ` (${fields.join(', ')})` : '';
  }
  const name = [after.name, after.title, after.email, before.name, before.title, before.email].find((v) => typeof v === 'string' && v);
  return name ? ` “${name as string}”` : '';
}

/** What every team member sees first: sales, registrations, check-ins (pushed live), live sessions, recent activity. */
export function DashboardTab(props: TabProps) {
  const [data] = createResource(() => props.detail.event.id, (id) => organizeApi.dashboard(id));
  const zone = () => props.detail.event.timeZone;
  const live = createLiveCheckIns(() => props.detail.event.id);
  return (
    <Show when={data()} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
      {(d) => (
        <div class="organize-grid">
          <Show when={props.detail.event.status === 'cancelled'}>
            <p class="notice notice--error organize-grid__wide" role="status">Cancelled: {props.detail.event.cancelReason}</p>
          </Show>
          <section class="card organize-grid__wide" aria-labelledby="numbers">
            <h2 id="numbers" class="card__title">At a glance</h2>
            <dl class="organize-stats">
              <div><dt>Sales</dt><dd>{formatMoney(d().sales.net, d().currency)}</dd><dd class="organize-stats__sub">{d().sales.orders} orders</dd></div>
              <div><dt>Registrations</dt><dd>{d().registrations}</dd><dd class="organize-stats__sub">{d().capacity ? `of ${d().capacity}` : 'no overall limit'}</dd></div>
              <div><dt>Checked in</dt><dd aria-live="polite" data-testid="checked-in">{live()?.checkedIn ?? d().checkIns ?? '—'}</dd><dd class="organize-stats__sub"><A href={`/organize/events/${props.detail.event.id}/checkin`}>Check-in</A></dd></div>
              <div><dt>Live now</dt><dd>{d().liveSessions.length}</dd><dd class="organize-stats__sub">sessions</dd></div>
            </dl>
          </section>
          <section class="card" aria-labelledby="by-type">
            <h2 id="by-type" class="card__title">Tickets</h2>
            <Show when={d().ticketTypes.length > 0} fallback={<p class="form-note">No ticket types yet. <A href={`/organize/events/${props.detail.event.id}/tickets`}>Add tickets</A>.</p>}>
              <ul class="organize-list">
                <For each={d().ticketTypes}>{(t) => (
                  <li class="organize-list__item"><span>{t.name}</span><span>{t.sold} sold{t.held ? `, ${t.held} held` : ''} of {t.quantity}</span></li>
                )}</For>
              </ul>
            </Show>
            <Show when={d().liveSessions.length > 0}>
              <h3 class="organize-subtitle">Live now</h3>
              <ul class="organize-list">
                <For each={d().liveSessions}>{(s) => (
                  <li class="organize-list__item"><A href={`/rooms/${s.id}`}>{s.title}</A><span>until {formatInZone(s.endsAt, zone(), 'time')}</span></li>
                )}</For>
              </ul>
            </Show>
          </section>
          <section class="card" aria-labelledby="activity">
            <h2 id="activity" class="card__title">Recent activity</h2>
            <Show when={d().activity.length > 0} fallback={<p class="muted">No changes yet. What the team changes shows here, with who changed it.</p>}>
              <ol class="organize-activity">
                <For each={d().activity}>{(a) => (
                  <li><strong>{a.by ?? 'Someone'}</strong> {ACTIONS[a.action] ?? a.action}{changed(a)} <time datetime={a.at}>{formatInZone(a.at, zone())}</time></li>
                )}</For>
              </ol>
            </Show>
          </section>
          <Show when={props.detail.permissions.update && props.detail.event.status !== 'cancelled'}>
            {/* The composer is a card of its own. */}
            <div class="organize-grid__wide">
              <AnnouncementComposer eventId={props.detail.event.id} sessions={props.detail.sessions.map((s) => ({ id: s.id, title: s.title }))} />
            </div>
          </Show>
        </div>
      )}
    </Show>
  );
}
