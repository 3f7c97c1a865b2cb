/** The discovery API: the public event list and one event's public page. */
import { api } from '../../api/http.ts';
import type { PublicEvent } from '../../../../server/discovery/event-page.ts';
import type { EventCard, Listing } from '../../../../server/discovery/listing.ts';

export type { EventCard, Listing, PublicEvent };

/** The list filters as they appear in the page's address (and the API's query). */
export type DiscoverFilters = { q?: string; from?: string; to?: string; category?: string; language?: string; price?: string; page?: string };

export const FILTER_KEYS = ['q', 'from', 'to', 'category', 'language', 'price', 'page'] as const;

export function filterQuery(filters: DiscoverFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  return params.toString();
}

export const discoveryApi = {
  list: (filters: DiscoverFilters) => api.get<Listing>(`/discover/events?${filterQuery(filters)}`),
  event: (slug: string, code?: string) =>
    api.get<{ event: PublicEvent }>(`/discover/events/${encodeURIComponent(slug)}${code ? `?${new URLSearchParams({ code })}` : ''}`),
};
