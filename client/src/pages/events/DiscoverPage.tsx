import { A, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { CalendarIcon, CompassIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { type DiscoverFilters, discoveryApi, type EventCard, FILTER_KEYS, filterQuery } from './api.ts';
import { formatPriceRange, formatRange, VENUE_LABEL } from './format.ts';
import './events.css';

/** The public event list: search, filters and pages, all kept in the address so links and Back work. */
export function DiscoverPage() {
  const [params, setParams] = useSearchParams<DiscoverFilters>();
  const filters = (): DiscoverFilters => Object.fromEntries(FILTER_KEYS.map((k) => [k, params[k]]));
  const [listing] = createResource(() => filterQuery(filters()), () => discoveryApi.list(filters()));
  const [query, setQuery] = createSignal(params.q ?? '');
  const filtered = () => FILTER_KEYS.some((k) => k !== 'page' && params[k]);
  // Any change of filter starts again at page 1.
  const apply = (change: DiscoverFilters) => setParams({ ...change, page: undefined });
  const page = () => listing()?.page ?? 1;

  return (
    <>
      <PageHeader title="Events" lead="Upcoming and live events hosted on this server." />
      <form class="discover-filters" role="search" aria-label="Find events" onSubmit={(e) => { e.preventDefault(); apply({ q: query().trim() || undefined }); }}>
        <div class="field discover-filters__search">
          <label class="field__label" for="discover-q">Search</label>
          <div class="discover-filters__searchrow">
            <input id="discover-q" class="field__input" type="search" placeholder="Title, topic or tag" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
            <button type="submit" class="button button--primary">Search</button>
          </div>
        </div>
        <Filter label="From" id="discover-from">
          <input id="discover-from" class="field__input" type="date" value={params.from ?? ''} onChange={(e) => apply({ from: e.currentTarget.value || undefined })} />
        </Filter>
        <Filter label="To" id="discover-to">
          <input id="discover-to" class="field__input" type="date" value={params.to ?? ''} onChange={(e) => apply({ to: e.currentTarget.value || undefined })} />
        </Filter>
        <Filter label="Category" id="discover-category">
          <select id="discover-category" class="field__input" onChange={(e) => apply({ category: e.currentTarget.value || undefined })}>
            <option value="">Any category</option>
            <For each={listing.latest?.facets.categories ?? []}>{(c) => <option value={c} selected={params.category === c}>{c}</option>}</For>
          </select>
        </Filter>
        <Filter label="Language" id="discover-language">
          <select id="discover-language" class="field__input" onChange={(e) => apply({ language: e.currentTarget.value || undefined })}>
            <option value="">Any language</option>
            <For each={listing.latest?.facets.languages ?? []}>{(l) => <option value={l} selected={params.language === l}>{languageName(l)}</option>}</For>
          </select>
        </Filter>
        <Filter label="Price" id="discover-price">
          <select id="discover-price" class="field__input" onChange={(e) => apply({ price: e.currentTarget.value || undefined })}>
            <option value="" selected={!params.price}>Free or paid</option>
            <option value="free" selected={params.price === 'free'}>Free</option>
            <option value="paid" selected={params.price === 'paid'}>Paid</option>
          </select>
        </Filter>
      </form>

      <Show when={listing.error}>
        <p class="form-alert" role="alert">Events could not be loaded: {(listing.error as Error).message}</p>
      </Show>
      <Show when={listing.latest}>
        {(result) => (
          <>
            <p class="discover-count" role="status">
              {result().total === 1 ? '1 event' : `${result().total} events`}
              <Show when={filtered()}>{result().total === 1 ? ' matches your search' : ' match your search'}</Show>
            </p>
            <Show when={result().total > 0} fallback={<NoEvents filtered={filtered()} clear={() => { setQuery(''); setParams(Object.fromEntries(FILTER_KEYS.map((k) => [k, undefined]))); }} />}>
              <ul class="event-grid">
                <For each={result().events}>{(event) => <EventCardItem event={event} />}</For>
              </ul>
              <Show when={result().pages > 1}>
                <nav class="pagination" aria-label="Pages">
                  <Show when={page() > 1} fallback={<span />}>
                    <A class="button" href={`?${filterQuery({ ...filters(), page: String(page() - 1) })}`}>Previous page</A>
                  </Show>
                  <span aria-current="page">Page {page()} of {result().pages}</span>
                  <Show when={page() < result().pages} fallback={<span />}>
                    <A class="button" href={`?${filterQuery({ ...filters(), page: String(page() + 1) })}`}>Next page</A>
                  </Show>
                </nav>
              </Show>
            </Show>
          </>
        )}
      </Show>
    </>
  );
}

function Filter(props: { label: string; id: string; children: import('solid-js').JSX.Element }) {
  return (
    <div class="field">
      <label class="field__label" for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

function EventCardItem(props: { event: EventCard }) {
  const price = () => props.event.priceRange;
  return (
    <li class="event-card">
      <A class="event-card__link" href={`/events/${props.event.slug}`}>
        <h2 class="event-card__title">{props.event.title}</h2>
      </A>
      <p class="event-card__when"><CalendarIcon size={16} /> {formatRange(props.event.startsAt, props.event.endsAt)}</p>
      <p class="event-card__summary">{props.event.summary}</p>
      <div class="event-card__meta">
        <span>{props.event.organization.name}</span>
        <span>{VENUE_LABEL[props.event.venueType]}</span>
        <Show when={props.event.category}><span class="event-badge">{props.event.category}</span></Show>
        <Show when={price()}>{(p) => <span class="event-badge event-badge--price">{formatPriceRange(p())}</span>}</Show>
      </div>
    </li>
  );
}

function NoEvents(props: { filtered: boolean; clear: () => void }) {
  return (
    <Show
      when={props.filtered}
      fallback={
        <EmptyState icon={<CalendarIcon size={28} />} title="No events yet">
          <p>When organizers publish an event and an admin approves it, it appears here for anyone to find.</p>
        </EmptyState>
      }
    >
      <EmptyState icon={<CompassIcon size={28} />} title="No events match">
        <p>Try other words, a wider date range or fewer filters.</p>
        <button type="button" class="button button--primary" onClick={() => props.clear()}>Clear filters</button>
      </EmptyState>
    </Show>
  );
}

function languageName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}
