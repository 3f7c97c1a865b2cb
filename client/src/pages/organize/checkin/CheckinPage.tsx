import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { api } from '../../../api/http.ts';
import { EmptyState } from '../../../ui/EmptyState.tsx';
import { TicketIcon } from '../../../ui/icons.tsx';
import { PageHeader } from '../../../ui/PageHeader.tsx';
import { createFormState, FormMessages } from '../../account/form.tsx';
import '../../scanner/scanner.css';

type List = { id: string; name: string; ticketTypeIds: string[] | null; checkedIn: number; expected: number };
type Attendee = { ticketId: string; holderName: string; holderEmail: string; ticketType: string; status: string; checkedInAt: string | null };

const LIVE_COUNTS_MS = 5_000;

/** An event's check-in lists: set them up, watch the counts live, open a scanner, check people in by hand. */
export function CheckinPage() {
  const params = useParams<{ id: string }>();
  const [data, { refetch }] = createResource(() => params.id, (id) =>
    api.get<{ lists: List[]; ticketTypes: { id: string; name: string }[] }>(`/events/${id}/checkin-lists`));
  const timer = setInterval(() => void refetch(), LIVE_COUNTS_MS);
  onCleanup(() => clearInterval(timer));

  const form = createFormState<'name' | 'ticketTypeIds'>();
  const [name, setName] = createSignal('');
  const [types, setTypes] = createSignal<string[]>([]);
  const create = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      await api.post(`/events/${params.id}/checkin-lists`, { name: name(), ticketTypeIds: types().length ? types() : null });
      setName('');
      setTypes([]);
      form.setNotice('List created.');
      await refetch();
    }, ['name', 'ticketTypeIds']);
  };

  return (
    <section class="checkin-admin">
      <PageHeader title="Check-in" lead="Doors and rooms where tickets are scanned, with live counts." actions={<A class="button" href={`/organize/events/${params.id}`}>Back to the event</A>} />
      <Show when={data.error}>
        <div class="notice notice--error" role="alert"><p>{(data.error as Error).message}</p></div>
      </Show>
      <Show when={data()}>
        {(d) => (
          <>
            <Show when={d().lists.length > 0} fallback={
              <EmptyState icon={<TicketIcon />} title="No check-in lists yet">
                <p>Create one for each door or room below; each list admits a ticket once.</p>
              </EmptyState>
            }>
              <ul class="checkin-admin__lists">
                <For each={d().lists}>{(list) => <ListRow list={list} ticketTypes={d().ticketTypes} changed={() => void refetch()} />}</For>
              </ul>
            </Show>
            <form class="card" onSubmit={create} aria-labelledby="new-list-title">
              <h2 id="new-list-title" class="card__title">New list</h2>
              <label class="field__label" for="list-name">Name</label>
              <input id="list-name" class="field__input" value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder="Main entrance" maxlength={80} />
              <fieldset class="checkin-admin__types">
                <legend class="field__label">Admits</legend>
                <p class="field__hint">Leave all unticked to admit every ticket type.</p>
                <For each={d().ticketTypes}>
                  {(type) => (
                    <label>
                      <input type="checkbox" checked={types().includes(type.id)}
                        onChange={(e) => setTypes(e.currentTarget.checked ? [...types(), type.id] : types().filter((t) => t !== type.id))} />
                      {' '}{type.name}
                    </label>
                  )}
                </For>
              </fieldset>
              <button type="submit" class="button button--primary">Create list</button>
              <FormMessages alert={form.errors().name ?? form.errors().ticketTypeIds ?? form.alert()} notice={form.notice()} />
            </form>
          </>
        )}
      </Show>
    </section>
  );
}

function ListRow(props: { list: List; ticketTypes: { id: string; name: string }[]; changed: () => void }) {
  const form = createFormState<never>();
  const [query, setQuery] = createSignal('');
  const [searched, setSearched] = createSignal<string | null>(null);
  const [people, { refetch }] = createResource(searched, (q) =>
    api.get<{ attendees: Attendee[] }>(`/checkin-lists/${props.list.id}/attendees?${new URLSearchParams({ q })}`));
  const admits = () => props.list.ticketTypeIds === null
    ? 'All ticket types'
    : props.ticketTypes.filter((t) => props.list.ticketTypeIds!.includes(t.id)).map((t) => t.name).join(', ');
  const checkIn = (ticketId: string) => void form.run(async () => {
    const { results } = await api.post<{ results: { outcome: string; message: string }[] }>(`/checkin-lists/${props.list.id}/scans`, {
      scans: [{ nonce: crypto.randomUUID(), scannedAt: new Date().toISOString(), ticketId }],
    });
    form.setNotice(results[0].message);
    await refetch();
    props.changed();
  }, []);
  return (
    <li class="card checkin-admin__list" aria-label={props.list.name}>
      <div class="checkin-admin__head">
        <div>
          <h2 class="card__title">{props.list.name}</h2>
          <p class="field__hint">{admits()}</p>
        </div>
        <p class="checkin-admin__count" data-testid="list-count">
          <strong>{props.list.checkedIn}</strong> of {props.list.expected} checked in
        </p>
      </div>
      <progress max={Math.max(props.list.expected, 1)} value={props.list.checkedIn} aria-label={`${props.list.name} progress`} />
      <div class="checkin-admin__actions">
        <A class="button button--primary" href={`/scan/${props.list.id}`}>Open scanner</A>
        <button type="button" class="button" onClick={() => void form.run(async () => {
          await api.delete(`/checkin-lists/${props.list.id}`);
          props.changed();
        }, [])}>Delete</button>
      </div>
      <form class="scanner__row" role="search" onSubmit={(e) => { e.preventDefault(); setSearched(query().trim()); }}>
        <label class="visually-hidden" for={`search-${props.list.id}`}>Find an attendee on {props.list.name}</label>
        <input id={`search-${props.list.id}`} class="field__input" type="search" placeholder="Name or e-mail" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit" class="button">Find</button>
      </form>
      <ul class="scanner__people">
        <For each={people()?.attendees}>
          {(a) => (
            <li>
              <span><strong>{a.holderName}</strong> · {a.ticketType} · {a.holderEmail}{a.status !== 'valid' ? ` · ${a.status}` : ''}</span>
              <Show when={a.checkedInAt} fallback={
                <button type="button" class="button" disabled={a.status !== 'valid'} aria-label={`Check in ${a.holderName}`} onClick={() => checkIn(a.ticketId)}>Check in</button>
              }>
                <span class="chip chip--ok">In at {new Date(a.checkedInAt!).toLocaleTimeString()}</span>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <FormMessages alert={form.alert()} notice={form.notice()} />
    </li>
  );
}
