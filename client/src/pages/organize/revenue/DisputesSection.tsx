/** An event's disputes: which orders a cardholder disputed, for how much, what the provider charged for it, and how each ended. */
import { createResource, For, Show } from 'solid-js';
import { money, revenueApi } from './api.ts';

const STATUS: Record<string, string> = {
  inquiry: 'Inquiry (no money taken)',
  open: 'Open: amount withheld',
  won: 'Won: amount returned',
  lost: 'Lost: tickets revoked',
  closed: 'Closed without a dispute',
};

export function DisputesSection(props: { eventId: string }) {
  const [disputes] = createResource(() => props.eventId, (id) => revenueApi.disputes(id));
  return (
    <section class="card revenue-section" aria-labelledby="disputes-title">
      <h2 id="disputes-title" class="card__title">Disputes</h2>
      <Show when={disputes.error}><div class="notice notice--error" role="alert"><p>{(disputes.error as Error).message}</p></div></Show>
      <Show when={disputes()?.disputes.length === 0}><p class="revenue-empty">No disputes.</p></Show>
      <ul class="revenue-orders">
        <For each={disputes()?.disputes}>
          {(d) => (
            <li class="revenue-orders__item" data-dispute-status={d.status}>
              <div class="revenue-orders__head">
                <div>
                  <strong>{d.buyer.name}</strong> <span class="revenue-orders__muted">{d.buyer.email}</span>
                  <p class="revenue-orders__muted">
                    {new Date(d.openedAt).toLocaleString()} · {money(d.amount, d.currency)} · reason: {d.reason.replaceAll('_', ' ')}
                    <Show when={d.fees.length > 0}>
                      {' '}· <span data-dispute-fee>dispute fee {d.fees.map((f) => money(f.amount, f.currency)).join(' + ')}</span>
                    </Show>
                  </p>
                </div>
                <span class="badge" data-status={d.status}>{STATUS[d.status] ?? d.status}</span>
              </div>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
