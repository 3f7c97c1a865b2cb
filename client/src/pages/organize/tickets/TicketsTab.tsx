/** /organize/events/:id/tickets — what the event sells: ticket types, promo codes, questions, and its orders. */
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { PageHeader } from '../../../ui/PageHeader.tsx';
import { TextField } from '../../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../../account/form.tsx';
import { checkoutApi } from '../../checkout/api.ts';
import { formatPrice } from '../../events/format.ts';
import { ticketingApi, toMinor } from './api.ts';
import { PromoCodesCard, QuestionsCard } from './ExtrasCards.tsx';
import '../../checkout/checkout.css';
import './tickets-tab.css';

export function TicketsTab() {
  const params = useParams<{ id: string }>();
  const [types, { refetch }] = createResource(() => params.id, (id) => ticketingApi.types(id));
  const [orders] = createResource(() => params.id, (id) => ticketingApi.orders(id));
  // The event's currency, from what buyers are offered (organizers see it before approval too).
  const [offer] = createResource(() => params.id, (id) => checkoutApi.offer(id));
  const currency = () => offer()?.event.currency ?? 'eur';
  return (
    <section class="tickets-tab">
      <PageHeader title="Tickets" lead="Ticket types, promo codes, questions for attendees, and orders." actions={<A class="button" href={`/organize/events/${params.id}`}>Back to the event</A>} />
      <Show when={!types.error} fallback={<div class="notice notice--error" role="alert"><p>{(types.error as Error)?.message}</p></div>}>
        <section class="card" aria-labelledby="types-title">
          <h2 id="types-title" class="card__title">Ticket types</h2>
          <Show when={(types()?.ticketTypes.length ?? 0) > 0} fallback={<p>No ticket types yet: add the first below.</p>}>
            <table class="tickets-tab__table">
              <thead><tr><th scope="col">Name</th><th scope="col" class="num">Price</th><th scope="col" class="num">Sold</th><th scope="col" class="num">Held</th><th scope="col" class="num">Quantity</th><th scope="col">Visibility</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                <For each={types()?.ticketTypes}>
                  {(t) => (
                    <tr>
                      <td>{t.name}</td>
                      <td class="num">{formatPrice(t.price, t.currency)}</td>
                      <td class="num">{t.sold}</td>
                      <td class="num">{t.held}</td>
                      <td class="num">{t.quantity}</td>
                      <td>{t.hidden ? 'Hidden (access code)' : 'Public'}</td>
                      <td>
                        <Show when={t.sold + t.held === 0}>
                          <button type="button" class="button" aria-label={`Delete ${t.name}`} onClick={() => void ticketingApi.deleteType(t.id).then(refetch)}>Delete</button>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
          <NewTicketType eventId={params.id} currency={currency()} created={() => void refetch()} />
        </section>
        <PromoCodesCard eventId={params.id} />
        <QuestionsCard eventId={params.id} />
        <section class="card" aria-labelledby="orders-title">
          <h2 id="orders-title" class="card__title">Orders</h2>
          <Show when={(orders()?.orders.length ?? 0) > 0} fallback={<p>No orders yet.</p>}>
            <table class="tickets-tab__table">
              <thead><tr><th scope="col">Buyer</th><th scope="col">Status</th><th scope="col" class="num">Seats</th><th scope="col" class="num">Total</th><th scope="col">Placed</th></tr></thead>
              <tbody>
                <For each={orders()?.orders}>
                  {(o) => (
                    <tr>
                      <td>{o.buyer.name}<br /><span class="muted">{o.buyer.email}</span></td>
                      <td>{o.status}</td>
                      <td class="num">{o.seats}</td>
                      <td class="num">{formatPrice(o.total, o.currency)}</td>
                      <td>{new Date(o.createdAt).toLocaleString()}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </section>
      </Show>
    </section>
  );
}

function NewTicketType(props: { eventId: string; currency: string; created: () => void }) {
  const form = createFormState<'name' | 'price' | 'quantity' | 'maxPerOrder' | 'accessCode'>();
  const [name, setName] = createSignal('');
  const [price, setPrice] = createSignal('0');
  const [quantity, setQuantity] = createSignal('100');
  const [maxPerOrder, setMaxPerOrder] = createSignal('10');
  const [hidden, setHidden] = createSignal(false);
  const [accessCode, setAccessCode] = createSignal('');
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      await ticketingApi.createType(props.eventId, {
        name: name(), description: '', price: toMinor(price(), props.currency), quantity: Number(quantity()), minPerOrder: 1, maxPerOrder: Number(maxPerOrder()),
        hidden: hidden(), accessCode: hidden() && accessCode() ? accessCode() : null, saleStartsAt: null, saleEndsAt: null,
      });
      setName('');
      form.setNotice('Ticket type added.');
      props.created();
    }, ['name', 'price', 'quantity', 'maxPerOrder', 'accessCode']);
  };
  return (
    <form class="form tickets-tab__form" onSubmit={submit} novalidate aria-labelledby="new-type-title">
      <h3 id="new-type-title">Add a ticket type</h3>
      <TextField id="type-name" label="Name" value={name()} onValue={setName} error={form.errors().name} />
      <div class="form__row">
        <TextField id="type-price" label={`Price (${props.currency.toUpperCase()})`} hint="0 for free" inputmode="decimal" value={price()} onValue={setPrice} error={form.errors().price} />
        <TextField id="type-quantity" label="Quantity" inputmode="numeric" value={quantity()} onValue={setQuantity} error={form.errors().quantity} />
        <TextField id="type-max" label="Most per order" inputmode="numeric" value={maxPerOrder()} onValue={setMaxPerOrder} error={form.errors().maxPerOrder} />
      </div>
      <label class="checkout__choice" for="type-hidden"><input id="type-hidden" type="checkbox" checked={hidden()} onChange={(e) => setHidden(e.currentTarget.checked)} /> Hidden: offered only with an access code</label>
      <Show when={hidden()}>
        <TextField id="type-code" label="Access code" value={accessCode()} onValue={setAccessCode} error={form.errors().accessCode} autocomplete="off" />
      </Show>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <SubmitButton busy={form.busy()} busyLabel="Adding…" block={false}>Add ticket type</SubmitButton>
    </form>
  );
}
