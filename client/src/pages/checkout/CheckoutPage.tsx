import { A, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Index, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import type { Account } from '../account/api.ts';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { formatPrice, formatRange } from '../events/format.ts';
import { checkoutApi, type Offer, type OfferedType, type Question } from './api.ts';
import './checkout.css';

/** /events/:slug/checkout — choose tickets, name each attendee, answer the questions, pay or register. */
export function CheckoutPage() {
  const params = useParams<{ slug: string }>();
  const [search] = useSearchParams<{ code?: string; offer?: string }>();
  const session = useSession();
  const [offer] = createResource(() => ({ slug: params.slug, code: search.code }), ({ slug, code }) => checkoutApi.offer(slug, code));
  const here = () => `${location.pathname}${location.search}`;
  // Without an account the buyer checks out as a guest (name and e-mail), or logs in first.
  return (
    <Show when={session.user.state === 'ready'} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
      <Show when={!offer.error} fallback={<div class="notice notice--error" role="alert"><p>{(offer.error as Error)?.message}</p></div>}>
        <Show when={offer()} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
          {(o) => <CheckoutForm offer={o()} user={session.user() ?? null} logInHref={`/log-in?next=${encodeURIComponent(here())}`} accessCode={search.code} offerToken={search.offer} />}
        </Show>
      </Show>
    </Show>
  );
}

type SeatDraft = { name: string; email: string; answers: Record<string, string | string[]> };

function CheckoutForm(props: { offer: Offer; user: Account | null; logInHref: string; accessCode?: string; offerToken?: string }) {
  const navigate = useNavigate();
  const form = createFormState<string>();
  const event = () => props.offer.event;
  // One key per order asked for: a retried submission returns the order already made, and a
  // changed one (back from the payment page, another ticket) is a new request with a new key,
  // as the server answers a key sent with other details 422.
  let idempotencyKey = crypto.randomUUID();
  let keyedBody: string | null = null;
  const keyFor = (body: object) => {
    const text = JSON.stringify(body);
    if (keyedBody !== null && keyedBody !== text) idempotencyKey = crypto.randomUUID();
    keyedBody = text;
    return idempotencyKey;
  };
  const [quantities, setQuantities] = createStore<Record<string, number>>({});
  const [drafts, setDrafts] = createStore<Record<string, SeatDraft>>({});
  const [promoCode, setPromoCode] = createSignal('');
  const [waitlisted, setWaitlisted] = createSignal<Record<string, string>>({});
  const [guest, setGuest] = createStore({ name: '', email: '' });

  const seats = createMemo(() =>
    props.offer.ticketTypes.flatMap((t) => Array.from({ length: quantities[t.id] ?? 0 }, (_, i) => ({ type: t, key: `${t.id}:${i}` }))),
  );
  const draft = (key: string, index: number): SeatDraft =>
    drafts[key] ?? { name: index === 0 ? (props.user?.displayName ?? guest.name) : '', email: index === 0 ? (props.user?.email ?? guest.email) : '', answers: {} };
  const update = (key: string, index: number, change: Partial<SeatDraft>) => setDrafts(key, { ...draft(key, index), ...change });
  const total = () => seats().reduce((sum, s) => sum + s.type.price, 0);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const body = {
      seats: seats().map((s, i) => {
        const d = draft(s.key, i);
        return { ticketTypeId: s.type.id, name: d.name, email: d.email, answers: d.answers };
      }),
      ...(promoCode().trim() ? { promoCode: promoCode().trim() } : {}),
      ...(props.accessCode ? { accessCode: props.accessCode } : {}),
      ...(props.offerToken ? { waitlistOffer: props.offerToken } : {}),
    };
    const fields = ['buyer.name', 'buyer.email', 'promoCode', ...props.offer.ticketTypes.map((t) => `ticketType.${t.id}`), ...seats().flatMap((_, i) => [`seats.${i}.name`, `seats.${i}.email`, ...props.offer.questions.map((q) => `seats.${i}.answers.${q.id}`)])];
    void form.run(async () => {
      if (body.seats.length === 0) throw new Error('Choose at least one ticket.');
      const guestBody = { ...body, buyer: { name: guest.name, email: guest.email } };
      const placed = props.user
        ? await checkoutApi.checkout(event().id, body, keyFor(body))
        : await checkoutApi.guestCheckout(event().id, guestBody, keyFor(guestBody));
      if (placed.checkoutUrl) location.assign(placed.checkoutUrl);
      else navigate(placed.orderPage ?? `/orders/${placed.order.id}`);
    }, fields);
  };

  const joinWaitlist = (type: OfferedType) =>
    void form.run(async () => {
      const { entry } = await checkoutApi.joinWaitlist(type.id, props.accessCode);
      setWaitlisted({ ...waitlisted(), [type.id]: `You are number ${entry.position} on the waitlist; we will e-mail you when a ticket comes free.` });
    });

  return (
    <section class="checkout">
      <PageHeader title={event().title} lead={formatRange(event().startsAt, event().endsAt)} />
      <Show when={props.offerToken}>
        <p class="notice" role="status">A ticket is kept for you from the waitlist: choose it below to claim it.</p>
      </Show>
      <form class="form checkout__form" onSubmit={submit} novalidate>
        <Show when={!props.user}>
          <fieldset class="card checkout__buyer">
            <legend class="card__title">Your details</legend>
            <p class="form-note">
              No account needed: we e-mail your tickets and a link to your order. <A href={props.logInHref}>Log in</A> to keep them in your account; signing up later with this address adds them too.
            </p>
            <TextField id="buyer-name" label="Your name" autocomplete="name" value={guest.name} onValue={(name) => setGuest('name', name)} error={form.errors()['buyer.name']} />
            <TextField id="buyer-email" label="Your e-mail" type="email" autocomplete="email" value={guest.email} onValue={(email) => setGuest('email', email)} error={form.errors()['buyer.email']} />
          </fieldset>
        </Show>
        <fieldset class="card checkout__types">
          <legend class="card__title">Tickets</legend>
          <Show when={props.offer.ticketTypes.length > 0} fallback={<p>No tickets are on offer.</p>}>
            <For each={props.offer.ticketTypes}>
              {(type) => (
                <div class="checkout-type" classList={{ 'field--invalid': Boolean(form.errors()[`ticketType.${type.id}`]) }}>
                  <div class="checkout-type__text">
                    <label class="checkout-type__name" for={`qty-${type.id}`}>{type.name}</label>
                    <span class="checkout-type__price">{formatPrice(type.price, type.currency)}</span>
                    <Show when={type.description}><p class="checkout-type__description">{type.description}</p></Show>
                    <Show when={type.unavailableReason}><p class="checkout-type__state">{type.unavailableReason}</p></Show>
                    <Show when={form.errors()[`ticketType.${type.id}`]}><p class="field__error">{form.errors()[`ticketType.${type.id}`]}</p></Show>
                  </div>
                  <Show
                    when={type.available > 0 || props.offerToken}
                    fallback={
                      <Show when={!type.unavailableReason} fallback={<span class="checkout-type__soldout">Unavailable</span>}>
                        <div class="checkout-type__waitlist">
                          <span class="checkout-type__soldout">Sold out</span>
                          <Show when={waitlisted()[type.id]} fallback={props.user ? <button type="button" class="button" onClick={() => joinWaitlist(type)}>Join the waitlist</button> : <A class="button" href={props.logInHref}>Log in to join the waitlist</A>}>
                            <p role="status">{waitlisted()[type.id]}</p>
                          </Show>
                        </div>
                      </Show>
                    }
                  >
                    <select id={`qty-${type.id}`} class="field__input checkout-type__qty" disabled={Boolean(type.unavailableReason)} value={quantities[type.id] ?? 0} onChange={(e) => setQuantities(type.id, Number(e.currentTarget.value))}>
                      <For each={[0, ...Array.from({ length: Math.min(type.maxPerOrder, Math.max(type.available, props.offerToken ? 1 : 0)) }, (_, i) => i + 1).filter((n) => n >= type.minPerOrder)]}>
                        {(n) => <option value={n}>{n}</option>}
                      </For>
                    </select>
                  </Show>
                </div>
              )}
            </For>
          </Show>
        </fieldset>

        <Index each={seats()}>
          {(s, i) => (
            <fieldset class="card checkout__seat">
              <legend class="card__title">Ticket {i + 1}: {s().type.name}</legend>
              <TextField id={`seat-${i}-name`} label="Attendee name" autocomplete={i === 0 ? 'name' : 'off'} value={draft(s().key, i).name} onValue={(name) => update(s().key, i, { name })} error={form.errors()[`seats.${i}.name`]} />
              <TextField id={`seat-${i}-email`} label="Attendee e-mail" type="email" autocomplete={i === 0 ? 'email' : 'off'} value={draft(s().key, i).email} onValue={(email) => update(s().key, i, { email })} error={form.errors()[`seats.${i}.email`]} />
              <For each={props.offer.questions}>
                {(q) => <QuestionField question={q} seat={i} value={draft(s().key, i).answers[q.id]} error={form.errors()[`seats.${i}.answers.${q.id}`]} onValue={(v) => update(s().key, i, { answers: { ...draft(s().key, i).answers, [q.id]: v } })} />}
              </For>
            </fieldset>
          )}
        </Index>

        <div class="card checkout__summary">
          <TextField id="promo-code" label="Promo code" hint="Optional" value={promoCode()} onValue={setPromoCode} error={form.errors().promoCode} autocomplete="off" />
          <p class="checkout__total">
            <span>Total before discounts</span> <strong data-total>{formatPrice(total(), event().currency)}</strong>
          </p>
          <Show when={total() > 0}>
            <p class="form-note">You pay on the payment page; your seats are kept for {event().holdMinutes} minutes.</p>
          </Show>
          <FormMessages alert={form.alert()} />
          <SubmitButton busy={form.busy()} busyLabel="Working…">{total() > 0 ? 'Continue to payment' : 'Register'}</SubmitButton>
          <p class="form-note"><A href={`/events/${event().slug}`}>Back to the event</A></p>
        </div>
      </form>
    </section>
  );
}

function QuestionField(props: { question: Question; seat: number; value: string | string[] | undefined; error?: string; onValue: (v: string | string[]) => void }) {
  const id = () => `seat-${props.seat}-q-${props.question.id}`;
  const label = () => `${props.question.label}${props.question.required ? '' : ' (optional)'}`;
  if (props.question.kind === 'text') {
    return <TextField id={id()} label={label()} value={(props.value as string) ?? ''} onValue={props.onValue} error={props.error} />;
  }
  const multi = props.question.kind === 'multi_choice';
  const selected = () => (Array.isArray(props.value) ? props.value : props.value ? [props.value] : []);
  return (
    <fieldset class="field checkout__question" classList={{ 'field--invalid': Boolean(props.error) }} aria-describedby={props.error ? `${id()}-error` : undefined}>
      <legend class="field__label">{label()}</legend>
      <For each={props.question.choices}>
        {(choice, c) => (
          <label class="checkout__choice" for={`${id()}-${c()}`}>
            <input
              id={`${id()}-${c()}`}
              type={multi ? 'checkbox' : 'radio'}
              name={id()}
              value={choice}
              checked={selected().includes(choice)}
              onChange={(e) => props.onValue(multi ? (e.currentTarget.checked ? [...selected(), choice] : selected().filter((v) => v !== choice)) : choice)}
            />
            {choice}
          </label>
        )}
      </For>
      <Show when={props.error}><p class="field__error" id={`${id()}-error`}>{props.error}</p></Show>
    </fieldset>
  );
}
