import { A, Navigate } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { EmptyState } from '../ui/EmptyState.tsx';
import { TicketIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useSession } from './account/session.tsx';
import { checkoutApi, type MyTicket } from './checkout/api.ts';
import { formatRange } from './events/format.ts';
import { createReplays, replayHref } from './recordings/replays.ts';
import './checkout/checkout.css';

/** My tickets: one card per ticket with its QR code for the door and a calendar file. */
export function TicketsPage() {
  const session = useSession();
  return (
    <>
      <PageHeader title="My tickets" lead="Tickets you have bought or registered for." />
      <Show when={session.user.state === 'ready'} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
        <Show when={session.user()} fallback={<Navigate href="/log-in?next=/tickets" />}>
          <TicketList />
        </Show>
      </Show>
    </>
  );
}

function TicketList() {
  const [data] = createResource(() => checkoutApi.tickets());
  return (
    <Show when={!data.error} fallback={<div class="notice notice--error" role="alert"><p>{(data.error as Error)?.message}</p></div>}>
      <Show when={data()} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
        {(d) => (
          <Show
            when={d().tickets.length > 0}
            fallback={
              <EmptyState icon={<TicketIcon size={28} />} title="You have no tickets">
                <p>When you get a ticket for an event, it is kept here. <A href="/events">Find an event</A>.</p>
              </EmptyState>
            }
          >
            <ul class="ticket-list">
              <For each={d().tickets}>{(t) => <TicketCard ticket={t} />}</For>
            </ul>
          </Show>
        )}
      </Show>
    </Show>
  );
}

function TicketCard(props: { ticket: MyTicket }) {
  const t = () => props.ticket;
  const replays = createReplays(() => t().event.id);
  const allReplays = () => [...replays().values()].flat();
  return (
    <li class="card ticket-card" aria-labelledby={`ticket-${t().id}`}>
      <h2 class="card__title" id={`ticket-${t().id}`}>{t().event.title}</h2>
      <p>{formatRange(t().event.startsAt, t().event.endsAt)}</p>
      <p>{t().ticketTypeName} — {t().holderName}</p>
      <Show when={t().qrSvg} fallback={<p class="notice">This ticket is {t().status}.</p>}>
        {/* The SVG is drawn by the server's QR library from the signed code alone. */}
        <div class="ticket-card__qr" role="img" aria-label={`QR code of the ticket for ${t().holderName}`} innerHTML={t().qrSvg!} />
        {/* The door code replaces the 190-character signed code, which nobody can type at a door. */}
        <Show when={t().shortCode}>
          <p class="ticket-card__door-code">Door code <strong data-testid="door-code">{t().shortCode}</strong></p>
          <p class="field__hint">If the QR image will not scan, the door staff can type this code.</p>
        </Show>
      </Show>
      <Show when={allReplays().length > 0}>
        <div class="ticket-card__replays">
          <h3 class="field__label">Replays</h3>
          <ul>
            <For each={allReplays()}>
              {(r) => <li><A href={replayHref(t().event.id, r.id)} aria-label={`Watch the replay of ${r.title}`}>Watch the replay: {r.title}</A></li>}
            </For>
          </ul>
        </div>
      </Show>
      <div class="ticket-card__actions">
        <a class="button" href={`/api/tickets/${t().id}/calendar.ics`} download="">Add to calendar</a>
        <A class="button" href={`/orders/${t().orderId}`}>Order</A>
      </div>
    </li>
  );
}
