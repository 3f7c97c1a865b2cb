import { A, useParams, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { createFormState, FormMessages } from '../account/form.tsx';
import { checkoutApi, type GuestTicket, type OrderView, type Placed } from '../checkout/api.ts';
import { formatPrice, formatRange } from '../events/format.ts';
import { type OrderRef, orderHref, ordersApi } from './api.ts';
import { CancelOrderCard } from './receipt-cancellation.tsx';
import '../checkout/checkout.css';
import './orders.css';

const STATUS_TEXT: Record<OrderView['status'], string> = {
  pending: 'Waiting for payment',
  paid: 'Confirmed',
  expired: 'Expired: the seats were released',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
};

const DISPUTE_TEXT: Record<NonNullable<OrderView['disputeStatus']>, string> = {
  open: 'The payment is disputed by the cardholder',
  won: 'A dispute of the payment was decided for the organizer',
  lost: 'The payment was taken back after a dispute: the tickets are no longer valid',
};

/** A guest has no tickets page: their tickets and QR codes are shown with the order. */
function GuestTickets(props: { tickets: GuestTicket[] }) {
  return (
    <div class="card">
      <h2 class="card__title">Tickets</h2>
      <ul class="order__tickets">
        <For each={props.tickets}>
          {(t) => (
            <li class="ticket-card" data-ticket-status={t.status}>
              <p><strong>{t.ticketTypeName}</strong> — {t.holderName}</p>
              <Show when={t.qrSvg} fallback={<p class="notice">This ticket is {t.status}{t.statusReason ? `: ${t.statusReason}` : ''}.</p>}>
                <div class="ticket-card__qr" role="img" aria-label={`QR code of the ticket for ${t.holderName}`} innerHTML={t.qrSvg!} />
              </Show>
            </li>
          )}
        </For>
      </ul>
      <p class="form-note">Keep the e-mail with this link: it is the way back to your order. Signing up with the buyer's address adds the order to the account.</p>
    </div>
  );
}

/** A pending order given up by its buyer, after a confirm step: the seats go back on sale at once. */
function GiveUpOrder(props: { order: OrderRef; onDone: () => void }) {
  const [confirming, setConfirming] = createSignal(false);
  const form = createFormState();
  const giveUp = () =>
    void form.run(async () => {
      try {
        await ordersApi.abandon(props.order);
        props.onDone();
      } finally {
        setConfirming(false);
      }
    });
  return (
    <div class="order-give-up">
      <Show when={confirming()} fallback={<button type="button" class="button" onClick={() => setConfirming(true)}>Give up this order…</button>}>
        <div class="order-confirm" role="group" aria-labelledby="give-up-text">
          <p id="give-up-text">
            <strong>Give up this order?</strong> Its seats go back on sale at once and the payment page stops taking payment. Nothing has been charged.
          </p>
          <div class="order__actions">
            <button type="button" class="button button--danger" aria-disabled={form.busy()} onClick={giveUp}>Yes, give up this order</button>
            <button type="button" class="button" onClick={() => setConfirming(false)}>Keep it</button>
          </div>
        </div>
      </Show>
      <FormMessages alert={form.alert()} />
    </div>
  );
}

/**
 * /orders/:id — the order page, which is also where the payment page sends the buyer back:
 * it follows the order until the payment provider's webhook has confirmed it.
 */
export function OrderPage() {
  const params = useParams<{ id: string }>();
  const [search] = useSearchParams<{ paid?: string; cancelled?: string; key?: string }>();
  // A guest's link carries the order's key; an account holder's order needs none.
  const [data, { refetch }] = createResource(
    () => ({ id: params.id, key: search.key }),
    ({ id, key }): Promise<Placed & { tickets?: GuestTicket[] }> => (key ? checkoutApi.guestOrder(id, key) : checkoutApi.order(id)),
  );
  // Until the webhook lands the order is pending (or its refund is); ask again every 1.5 s while the page is open.
  const timer = setInterval(() => {
    const order = data()?.order;
    if (order && (order.status === 'pending' || order.refundPending > 0) && !data.loading) void refetch();
  }, 1_500);
  onCleanup(() => clearInterval(timer));

  const ref = (): OrderRef => ({ id: params.id, key: search.key });

  return (
    <Show when={!data.error} fallback={<div class="notice notice--error" role="alert"><p>{(data.error as Error)?.message}</p></div>}>
      <Show when={data()} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
        {(d) => {
          const o = () => d().order;
          const m = (amount: number) => formatPrice(amount, o().currency);
          return (
            <section class="order">
              <PageHeader title={o().event.title} lead={formatRange(o().event.startsAt, o().event.endsAt)} />
              <div class="card" aria-live="polite">
                <h2 class="card__title">Order</h2>
                <p class="order__status" data-order-status={o().status}>
                  <strong>{o().status === 'cancelled' && !o().paidAt ? 'Given up: nothing was charged and the seats were released' : STATUS_TEXT[o().status]}</strong>
                </p>
                <Show when={o().status === 'pending' && search.paid}>
                  <p role="status">Thank you! We are waiting for the payment service to confirm your payment…</p>
                </Show>
                <Show when={o().status === 'pending' && search.cancelled && !search.paid}>
                  <p>You left the payment page. Your seats are still kept until {new Date(o().holdExpiresAt ?? '').toLocaleTimeString()}.</p>
                </Show>
                <Show when={o().refundPending > 0}>
                  <p role="status" data-refund-pending>A refund of {m(o().refundPending)} is on its way; this page shows it once the payment provider confirms it.</p>
                </Show>
                <Show when={o().disputeStatus}>
                  <p class="order__dispute" data-dispute-status={o().disputeStatus}>{DISPUTE_TEXT[o().disputeStatus!]}</p>
                </Show>
                <p>Total: <strong>{o().total === 0 ? 'Free' : m(o().total)}</strong>{o().discount > 0 ? ` (after ${m(o().discount)} discount)` : ''}</p>
                <Show when={o().refunded > 0}>
                  <p data-refunded>Refunded: <strong>{m(o().refunded)}</strong></p>
                </Show>
                <ul class="order__seats">
                  <For each={o().seats}>
                    {(s) => (
                      <li>
                        {s.ticketTypeName} — {s.holderName} ({s.holderEmail}){s.ticket ? ` · ticket ${s.ticket.status}` : ''}
                      </li>
                    )}
                  </For>
                </ul>
                <div class="order__actions">
                  <Show when={o().status === 'paid' && !search.key}>
                    <A class="button button--primary" href="/tickets">See my tickets</A>
                    <a class="button" href={`/api/orders/${o().id}/calendar.ics`} download="">Add to calendar</a>
                  </Show>
                  <Show when={o().status === 'paid' && search.key}>
                    <a class="button" href={`/api/guest-orders/${o().id}/calendar.ics?${new URLSearchParams({ key: search.key! })}`} download="">Add to calendar</a>
                  </Show>
                  <Show when={o().paidAt}>
                    <A class="button" href={orderHref(ref(), '/receipt')}>Receipt</A>
                  </Show>
                  <Show when={o().status === 'pending' && d().checkoutUrl}>
                    <a class="button button--primary" href={d().checkoutUrl!}>Continue to payment</a>
                  </Show>
                  <A class="button" href={`/events/${o().event.slug}`}>Event page</A>
                </div>
                <Show when={o().status === 'pending' && d().buyer}>
                  <GiveUpOrder order={ref()} onDone={() => void refetch()} />
                </Show>
              </div>
              {/* Until the money has settled: a cancelled order's refund stays pending with the order paid. */}
              <Show when={o().status === 'paid' || o().status === 'partially_refunded'}>
                <CancelOrderCard order={ref()} onCancelled={() => void refetch()} />
              </Show>
              <Show when={d().tickets?.length}>
                <GuestTickets tickets={d().tickets!} />
              </Show>
            </section>
          );
        }}
      </Show>
    </Show>
  );
}
