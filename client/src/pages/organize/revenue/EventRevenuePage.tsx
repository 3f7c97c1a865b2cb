/** An event's revenue: the report by period with its CSV, the orders, each refundable, and disputes. */
import { A, useParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { PageHeader } from '../../../ui/PageHeader.tsx';
import { money, reportSearch, revenueApi } from './api.ts';
import { DisputesSection } from './DisputesSection.tsx';
import { RefundPanel } from './RefundPanel.tsx';
import { createReportQuery, ReportSection } from './RevenueReportView.tsx';

export function EventRevenuePage() {
  const params = useParams<{ id: string }>();
  const { query, setQuery } = createReportQuery();
  const [report, { refetch: refetchReport }] = createResource(() => ({ id: params.id, q: query() }), ({ id, q }) => revenueApi.eventReport(id, q));
  const [search, setSearch] = createSignal('');
  const [orders, { refetch: refetchOrders }] = createResource(() => ({ id: params.id, q: search() }), ({ id, q }) => revenueApi.orders(id, q));
  const [open, setOpen] = createSignal<string | null>(null);
  // Rows are keyed by order id, so a refetch after a refund updates them in place and the open
  // refund panel (with its confirmation) stays on screen.
  const byId = createMemo(() => new Map((orders.latest?.orders ?? []).map((o) => [o.id, o])));
  const ids = createMemo(() => (orders.latest?.orders ?? []).map((o) => o.id));

  const refunded = () => {
    void refetchOrders();
    void refetchReport();
  };

  return (
    <section class="revenue-page">
      <PageHeader title="Revenue" lead="Sales, refunds, fees and what the event earned." actions={<A class="button" href={`/organize/events/${params.id}`}>Back to the event</A>} />
      <ReportSection
        title="Report"
        idPrefix="event-report"
        report={report()?.report}
        error={report.error}
        query={query()}
        onQuery={setQuery}
        csvHref={`/api/events/${params.id}/revenue?${reportSearch(query(), 'csv')}`}
      />
      <section class="card revenue-section" aria-labelledby="orders-title">
        <h2 id="orders-title" class="card__title">Orders</h2>
        <form class="revenue-search" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(new FormData(e.currentTarget).get('q')?.toString() ?? ''); }}>
          <label class="visually-hidden" for="orders-q">Find an order by buyer name, e-mail or order id</label>
          <input id="orders-q" name="q" class="field__input" type="search" placeholder="Buyer name, e-mail or order id" />
          <button class="button" type="submit">Find</button>
        </form>
        <Show when={orders.error}><div class="notice notice--error" role="alert"><p>{(orders.error as Error).message}</p></div></Show>
        <Show when={orders()?.orders.length === 0}><p class="revenue-empty">No orders yet.</p></Show>
        <ul class="revenue-orders">
          <For each={ids()}>
            {(id) => (
              <Show when={byId().get(id)}>{(order) => (
              <li class="revenue-orders__item" data-order-id={order().id}>
                <div class="revenue-orders__head">
                  <div>
                    <strong>{order().buyer_name}</strong> <span class="revenue-orders__muted">{order().buyer_email}</span>
                    <p class="revenue-orders__muted">
                      {new Date(order().created_at).toLocaleString()} · {order().tickets} {order().tickets === 1 ? 'ticket' : 'tickets'} · {order().total === 0 ? 'free' : money(order().total, order().currency)}
                      <Show when={order().refunded > 0}> · refunded {money(order().refunded, order().currency)}</Show>
                    </p>
                  </div>
                  <div class="revenue-orders__actions">
                    <span class="badge" data-status={order().status}>{order().status.replace('_', ' ')}</span>
                    <Show when={order().pending_refunds > 0}><span class="badge">refund pending</span></Show>
                    <Show when={order().dispute_status}><span class="badge" data-dispute={order().dispute_status}>dispute {order().dispute_status}</span></Show>
                    <Show when={order().user_id === null}><span class="badge">guest</span></Show>
                    <a class="button" href={`/orders/${order().id}/receipt`}>Receipt</a>
                    <button type="button" class="button" aria-expanded={open() === order().id} aria-controls={`refund-${order().id}`} onClick={() => setOpen(open() === order().id ? null : order().id)}>
                      {open() === order().id ? 'Close' : order().total === 0 ? 'Cancel tickets…' : 'Refund…'}
                    </button>
                  </div>
                </div>
                <Show when={open() === order().id}>
                  <div id={`refund-${order().id}`}>
                    <RefundPanel orderId={order().id} onRefunded={refunded} />
                  </div>
                </Show>
              </li>
              )}</Show>
            )}
          </For>
        </ul>
      </section>
      <DisputesSection eventId={params.id} />
    </section>
  );
}
