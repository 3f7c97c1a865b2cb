/**
 * The attendee cancels their own order within the organizer's policy: the quote (deadline,
 * fee, what comes back), a confirm step, and the cancel. On the order page and under the
 * receipt, for account holders and for guests (whose order reference carries the key).
 * Renders nothing for orders that are not the viewer's or have nothing left to cancel.
 */
import { createResource, createSignal, Show } from 'solid-js';
import { createFormState, FormMessages } from '../account/form.tsx';
import { money } from '../organize/revenue/api.ts';
import { type CancellationQuote, type OrderRef, ordersApi } from './api.ts';
import './orders.css';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });

function refusal(q: CancellationQuote): string {
  if (q.reason === 'deadline_passed') return `The last day to cancel was ${when(q.deadline!)}. Contact the organizer if you cannot come.`;
  return 'The organizer does not let attendees cancel their tickets for this event; contact them if you cannot come.';
}

export function CancelOrderCard(props: { order: OrderRef; onCancelled?: () => void }) {
  // The team reading a receipt gets 404 here: then there is nothing to show.
  const [quote, { refetch }] = createResource(
    () => ({ ...props.order }),
    async (ref) => (await ordersApi.cancellation(ref).catch(() => null))?.quote ?? null,
  );
  const [confirming, setConfirming] = createSignal(false);
  const form = createFormState();
  const cancel = (q: CancellationQuote) =>
    void form.run(async () => {
      try {
        await ordersApi.cancel(props.order);
        form.setNotice(q.refund > 0
          ? `Cancelled. ${money(q.refund, q.currency)} is on its way back to you; the order shows it once the payment provider confirms the refund.`
          : 'Cancelled. Your tickets are no longer valid and their seats are free for others.');
        props.onCancelled?.();
      } finally {
        setConfirming(false);
        await refetch();
      }
    });
  // After a cancel the quote says "nothing to cancel": the card stays to say what happened.
  const shown = () => {
    const q = quote();
    return q && (q.reason !== 'nothing_to_cancel' || form.notice() || form.alert()) ? q : null;
  };
  return (
    <Show when={shown()}>
      {(q) => (
        <section class="card order-cancel" aria-labelledby="cancel-title" data-cancel-reason={q().reason}>
          <h2 id="cancel-title" class="card__title">Cancel this order</h2>
          <Show when={q().reason !== 'nothing_to_cancel'}>
            <Show when={q().allowed} fallback={<p>{refusal(q())}</p>}>
              <p>
                You can cancel until <strong>{when(q().deadline!)}</strong>.{' '}
                <Show when={q().fee > 0} fallback={<Show when={q().refundable > 0}>There is no cancellation fee. </Show>}>
                  The organizer keeps a fee of {money(q().fee, q().currency)}.{' '}
                </Show>
                <Show when={q().refundable > 0}>You get back <strong>{money(q().refund, q().currency)}</strong>.</Show>
              </p>
              <Show
                when={confirming()}
                fallback={<button type="button" class="button" onClick={() => setConfirming(true)}>Cancel my tickets…</button>}
              >
                <div class="order-confirm" role="group" aria-labelledby="cancel-confirm-text">
                  <p id="cancel-confirm-text">
                    <strong>Cancel {q().ticketIds.length === 1 ? 'your ticket' : `all ${q().ticketIds.length} tickets`}?</strong>{' '}
                    {q().refund > 0 ? `${money(q().refund, q().currency)} will be refunded. ` : ''}This cannot be undone.
                  </p>
                  <div class="order__actions">
                    <button type="button" class="button button--danger" aria-disabled={form.busy()} onClick={() => cancel(q())}>Yes, cancel my tickets</button>
                    <button type="button" class="button" onClick={() => setConfirming(false)}>Keep my tickets</button>
                  </div>
                </div>
              </Show>
            </Show>
          </Show>
          <FormMessages alert={form.alert()} notice={form.notice()} />
        </section>
      )}
    </Show>
  );
}
