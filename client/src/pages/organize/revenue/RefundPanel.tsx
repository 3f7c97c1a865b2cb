/**
 * One order's refunds: its tickets with what each is worth, the refunds made so far, and a
 * form to refund some tickets, an amount, or everything that is left.
 */
import { createResource, createSignal, For, Show } from 'solid-js';
import { createFormState, FormMessages, SubmitButton } from '../../account/form.tsx';
import { money, parseMoney, revenueApi } from './api.ts';

export function RefundPanel(props: { orderId: string; onRefunded: () => void }) {
  const [data, { refetch }] = createResource(() => props.orderId, (id) => revenueApi.orderRefunds(id));
  const [selected, setSelected] = createSignal<string[]>([]);
  const [amount, setAmount] = createSignal('');
  const [reason, setReason] = createSignal('');
  const form = createFormState<'amount' | 'reason' | 'ticketIds'>();
  const idFor = (name: string) => `refund-${props.orderId}-${name}`;
  // A free order has nothing to refund: the same form cancels its tickets.
  const free = () => data()?.order.total === 0;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const d = data();
    if (!d) return;
    void form.run(async () => {
      let minor: number | undefined;
      if (amount().trim() !== '') {
        const parsed = parseMoney(amount(), d.order.currency);
        if (parsed === null || parsed <= 0) {
          form.setErrors({ amount: 'Type an amount such as 12.50' });
          return;
        }
        minor = parsed;
      }
      const { result } = await revenueApi.refund(props.orderId, { ticketIds: selected().length ? selected() : undefined, amount: minor, reason: reason() });
      form.setNotice(result.kind === 'refund'
        ? `Refund of ${money(result.amount, d.order.currency)} ${result.status === 'pending' ? 'asked for; it settles when the payment provider confirms it' : 'failed'}.`
        : `${result.ticketIds.length} ${result.ticketIds.length === 1 ? 'ticket' : 'tickets'} cancelled.`);
      setSelected([]);
      setAmount('');
      setReason('');
      await refetch();
      props.onRefunded();
    }, ['amount', 'reason', 'ticketIds']);
  };

  return (
    <div class="refund-panel">
      <Show when={data.error}><p class="field__error" role="alert">{(data.error as Error).message}</p></Show>
      <Show when={data()}>
        {(d) => (
          <>
            <Show when={!free()} fallback={<p class="refund-panel__summary">A free order: cancelling its tickets refunds nothing and frees their seats.</p>}>
              <p class="refund-panel__summary">
                Paid {money(d().order.total, d().order.currency)} · refunded {money(d().order.refunded, d().order.currency)} ·{' '}
                <strong>refundable {money(d().remaining, d().order.currency)}</strong>
              </p>
            </Show>
            <Show when={d().refunds.length > 0}>
              <ul class="refund-panel__history" aria-label="Refunds of this order">
                <For each={d().refunds}>
                  {(r) => (
                    <li>
                      {money(r.amount, d().order.currency)} <span class="badge" classList={{ 'badge--danger': r.status === 'failed' }}>{r.status}</span> {r.reason}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <form class="refund-panel__form" onSubmit={submit} aria-label={`${free() ? 'Cancel tickets of' : 'Refund'} order of ${d().order.buyerName}`}>
              <fieldset>
                <legend class="field__label">{free() ? 'Tickets to cancel' : 'Tickets to refund'}</legend>
                <p class="field__hint">
                  {free()
                    ? 'Tick the tickets to cancel; tick none to cancel them all.'
                    : 'Tick tickets to cancel them and refund what they cost; tick none to refund an amount only, or everything left when the amount is empty.'}
                </p>
                <For each={d().tickets}>
                  {(t) => (
                    <label class="refund-panel__ticket">
                      <input
                        type="checkbox"
                        disabled={t.status !== 'valid'}
                        checked={selected().includes(t.id)}
                        onChange={(e) => setSelected(e.currentTarget.checked ? [...selected(), t.id] : selected().filter((id) => id !== t.id))}
                      />{' '}
                      {t.holder_name} · {t.ticket_type} · {money(t.worth, d().order.currency)}
                      <Show when={t.status !== 'valid'}> <span class="badge">{t.status}</span></Show>
                    </label>
                  )}
                </For>
              </fieldset>
              <Show when={!free()}>
              <div class="field" classList={{ 'field--invalid': Boolean(form.errors().amount) }}>
                <label class="field__label" for={idFor('amount')}>Amount ({d().order.currency.toUpperCase()}, optional)</label>
                <input id={idFor('amount')} class="field__input" inputmode="decimal" value={amount()} onInput={(e) => setAmount(e.currentTarget.value)} aria-invalid={form.errors().amount ? true : undefined} />
                <Show when={form.errors().amount}><p class="field__error">{form.errors().amount}</p></Show>
              </div>
              </Show>
              <div class="field" classList={{ 'field--invalid': Boolean(form.errors().reason) }}>
                <label class="field__label" for={idFor('reason')}>Reason (the attendee sees it)</label>
                <input id={idFor('reason')} class="field__input" value={reason()} onInput={(e) => setReason(e.currentTarget.value)} maxlength={500} required />
                <Show when={form.errors().reason}><p class="field__error">{form.errors().reason}</p></Show>
              </div>
              <SubmitButton busy={form.busy()} busyLabel={free() ? 'Cancelling…' : 'Refunding…'} block={false}>{free() ? 'Cancel tickets' : 'Refund'}</SubmitButton>
              <FormMessages alert={form.alert() ?? form.errors().ticketIds ?? null} notice={form.notice()} />
            </form>
          </>
        )}
      </Show>
    </div>
  );
}
