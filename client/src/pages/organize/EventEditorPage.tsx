import { A, useParams } from '@solidjs/router';
import { createResource, For, Match, Show, Switch } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { type EventDetail, organizeApi, ROLE_LABELS, STATUS_LABELS } from './api.ts';
import { AgendaTab } from './AgendaTab.tsx';
import { DashboardTab } from './DashboardTab.tsx';
import { DetailsTab } from './DetailsTab.tsx';
import { SpeakersTab } from './SpeakersTab.tsx';
import { TeamTab } from './TeamTab.tsx';
import { VisibilityTab } from './VisibilityTab.tsx';
import { formatInZone } from './time.ts';
import './organize.css';

/** What every tab gets: the loaded event and a way to reload it after a change. */
export type TabProps = { detail: EventDetail; reload: () => void };

/** The event editor: the dashboard, then a tab per part; tickets, revenue and check-in live on their own pages. */
export function EventEditorPage() {
  const params = useParams<{ id: string; tab?: string }>();
  const [detail, { refetch }] = createResource(() => params.id, (id) => organizeApi.detail(id));
  const reload = () => void refetch();
  return (
    <Show when={detail()} fallback={
      <Show when={detail.error} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
        <PageHeader title="Event not found" lead="It does not exist, or you are not on its team." />
        <A href="/organize" class="button">Back to your events</A>
      </Show>
    }>
      {(d) => (
        <>
          <PageHeader title={d().event.title} lead={`${d().organization.name} · ${formatInZone(d().event.startsAt, d().event.timeZone)}`} actions={
            <div class="organize-list__badges">
              <span class={`badge status-badge status-badge--${d().event.status}`}>{STATUS_LABELS[d().event.status]}</span>
              <Show when={d().role.team}><span class="badge">{ROLE_LABELS[d().role.team!]}</span></Show>
            </div>
          } />
          <nav class="organize-tabs" aria-label="Event">
            <A href={`/organize/events/${params.id}`} end class="organize-tabs__link" activeClass="organize-tabs__link--active">Dashboard</A>
            <For each={[['details', 'Details'], ['agenda', 'Agenda'], ['speakers', 'Speakers'], ['team', 'Team'], ['visibility', 'Visibility & approval']] as const}>
              {([tab, label]) => <A href={`/organize/events/${params.id}/${tab}`} class="organize-tabs__link" activeClass="organize-tabs__link--active">{label}</A>}
            </For>
            <A href={`/organize/events/${params.id}/tickets`} class="organize-tabs__link">Tickets</A>
            <A href={`/organize/events/${params.id}/revenue`} class="organize-tabs__link">Revenue</A>
            <A href={`/organize/events/${params.id}/checkin`} class="organize-tabs__link">Check-in</A>
            <A href={`/organize/events/${params.id}/sponsors`} class="organize-tabs__link">Sponsors</A>
            <A href={`/organize/events/${params.id}/streaming`} class="organize-tabs__link">Streaming</A>
            <A href={`/organize/events/${params.id}/feedback`} class="organize-tabs__link">Feedback</A>
            <A href={`/events/${params.id}/recordings`} class="organize-tabs__link">Recordings</A>
          </nav>
          {/* Keyed by the event, so the tabs' forms start afresh when another event (a duplicate) opens. */}
          <Show when={d().event.id} keyed={true}>{(_eventId: string) => (
            <Switch fallback={<DashboardTab detail={d()} reload={reload} />}>
              <Match when={params.tab === 'details'}><DetailsTab detail={d()} reload={reload} /></Match>
              <Match when={params.tab === 'agenda'}><AgendaTab detail={d()} reload={reload} /></Match>
              <Match when={params.tab === 'speakers'}><SpeakersTab detail={d()} reload={reload} /></Match>
              <Match when={params.tab === 'team'}><TeamTab detail={d()} reload={reload} /></Match>
              <Match when={params.tab === 'visibility'}><VisibilityTab detail={d()} reload={reload} /></Match>
            </Switch>
          )}</Show>
        </>
      )}
    </Show>
  );
}
