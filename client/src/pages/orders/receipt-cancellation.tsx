/**
 * The attendee cancels their own order within the organizer's policy: the quote (deadline,
 * fee, what comes back) and a confirmed cancel. Shown under the receipt; the order page can
 * embed it too. Renders nothing for orders that are not the viewer's or have nothing left.
 */
import { createResource, Show } from 'solid-js';
import type { CancellationQuote as Quote } from '../../../../server/revenue/self-service.ts';
import { api } from '../../api/http.ts';
import { createFormState, FormMessages } from '../account/form.tsx';
import { money } from '../organize/revenue/api.ts';

export function CancelOrderCard(props: { orderId: string; onCancelled?: () => void }) {
  // The team reading a receipt gets 404 here: then there is nothing to show.
  const [quote, { refetch }] = createResource(() => props.orderId, async (id) => (await api.get<{ quote: Quote }>(`/orders/${id}/cancellation`).catch(() => null))?.quote ?? null);
  const form = createFormState();
  const cancel = () => {
    const q = quote();
    if (!q) return;
    const message = q.refund > 0 ? `Cancel your tickets? ${money(q.refund, q.currency)} will be refunded.` : 'Cancel your tickets?';
    if (!window.confirm(message)) return;
    void form.run(async () => {
      await api.post(`/orders/${props.orderId}/cancel`, {});
      form.setNotice(q.refund > 0 ? 'Cancelled. The refund is on its way; it shows here once the payment provider confirms it.' : 'Cancelled.');
      await refetch();
      props.onCancelled?.();
    });
  };
  return (
    <Show when={quote() && quote()!.reason !== 'nothing_to_cancel' ? quote() : null}>
      {(q) => (
        <section class="card receipt-cancel" aria-labelledby="cancel-title">
          <h2 id="cancel-title" class="card__title">Cancel this order</h2>
          <Show when={q().allowed} fallback={
            <p>{q().reason === 'deadline_passed' ? 'The last day to cancel has passed.' : 'The organizer does not let attendees cancel; contact them.'}</p>
          }>
            <p>
              You can cancel until {new Date(q().deadline!).toLocaleString()}.{' '}
              <Show when={q().fee > 0}>The organizer keeps a fee of {money(q().fee, q().currency)}. </Show>
              <Show when={q().refundable > 0}>You get back <strong>{money(q().refund, q().currency)}</strong>.</Show>
            </p>
            <button type="button" class="button" onClick={cancel} aria-disabled={form.busy()}>Cancel my tickets</button>
          </Show>
          <FormMessages alert={form.alert()} notice={form.notice()} />
        </section>
      )}
    </Show>
  );
}
