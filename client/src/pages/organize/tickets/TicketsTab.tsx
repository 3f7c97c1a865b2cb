/** /organize/events/:id/tickets — what the event sells: ticket types, promo codes, questions, and its orders. */
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { ApiError } from '../../../api/http.ts';
import { PageHeader } from '../../../ui/PageHeader.tsx';
import { FormMessages } from '../../account/form.tsx';
import { formatPrice } from '../../events/format.ts';
import { organizeApi } from '../api.ts';
import { type TicketType, ticketingApi } from './api.ts';
import { PromoCodesCard, QuestionsCard } from './ExtrasCards.tsx';
import { TicketTypeForm } from './TicketTypeForm.tsx';
import '../../checkout/checkout.css';
import './tickets-tab.css';

export function TicketsTab() {
  const params = useParams<{ id: string }>();
  const [types, { refetch }] = createResource(() => params.id, (id) => ticketingApi.types(id));
  const [orders] = createResource(() => params.id, (id) => ticketingApi.orders(id));
  // The event's currency, time zone and sessions, which a type's form offers.
  const [detail] = createResource(() => params.id, (id) => organizeApi.detail(id));
  const currency = () => detail()?.event.currency ?? 'eur';
  const timeZone = () => detail()?.event.timeZone ?? 'UTC';
  const sessions = () => detail()?.sessions.map((s) => ({ id: s.id, title: s.title })) ?? [];
  const [editing, setEditing] = createSignal<string | null>(null);
  const [problem, setProblem] = createSignal<string | null>(null);
  const editedType = () => types()?.ticketTypes.find((t) => t.id === editing());
  const remove = (t: TicketType) => {
    setProblem(null);
    ticketingApi.deleteType(t.id).then(() => {
      if (editing() === t.id) setEditing(null);
      void refetch();
    }, (error: unknown) => setProblem(error instanceof ApiError ? error.message : 'The ticket type could not be deleted.'));
  };
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
                      <td class="tickets-tab__actions">
                        <button type="button" class="button" aria-label={`Edit ${t.name}`} aria-expanded={editing() === t.id} onClick={() => setEditing(editing() === t.id ? null : t.id)}>Edit</button>
                        <Show when={t.sold + t.held === 0}>
                          <button type="button" class="button" aria-label={`Delete ${t.name}`} onClick={() => remove(t)}>Delete</button>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
          <FormMessages alert={problem()} />
          <Show when={detail()}>
            <Show when={editedType()} keyed>
              {(t) => <TicketTypeForm eventId={params.id} currency={currency()} timeZone={timeZone()} sessions={sessions()} type={t} saved={() => void refetch()} cancel={() => setEditing(null)} />}
            </Show>
            <TicketTypeForm eventId={params.id} currency={currency()} timeZone={timeZone()} sessions={sessions()} saved={() => void refetch()} />
          </Show>
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
