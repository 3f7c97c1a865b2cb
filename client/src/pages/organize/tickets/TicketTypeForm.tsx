/**
 * One ticket type's form, to add a type or edit one: name and description, price (fixed once
 * anything is sold or held), quantity (never below sold + held), sale window in the event's
 * time zone, how many per order, hidden behind an access code, and which sessions it grants.
 * The server enforces each rule; the form says them up front and shows its errors by field.
 */
import { createSignal, For, Show } from 'solid-js';
import { TextField } from '../../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../../account/form.tsx';
import { formatPrice } from '../../events/format.ts';
import { CheckField, TextAreaField } from '../controls.tsx';
import { utcToZoned, zonedToUtc } from '../time.ts';
import { type TicketType, type TicketTypeInput, ticketingApi, toMinor } from './api.ts';

type Field = 'name' | 'description' | 'price' | 'quantity' | 'saleStartsAt' | 'saleEndsAt' | 'minPerOrder' | 'maxPerOrder' | 'accessCode' | 'sessionIds';
const FIELDS: Field[] = ['name', 'description', 'price', 'quantity', 'saleStartsAt', 'saleEndsAt', 'minPerOrder', 'maxPerOrder', 'accessCode', 'sessionIds'];

export type TicketTypeFormProps = {
  eventId: string;
  currency: string;
  timeZone: string;
  sessions: { id: string; title: string }[];
  /** The type to edit; absent: a new one. */
  type?: TicketType;
  saved: () => void;
  cancel?: () => void;
};

/** Minor units back to what the organizer types ("12.50"). */
function toMajor(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  return (minor / 10 ** digits).toFixed(digits);
}

export function TicketTypeForm(props: TicketTypeFormProps) {
  const t = props.type;
  const prefix = t ? `type-${t.id}` : 'type-new';
  const taken = t ? t.sold + t.held : 0;
  const initial = () => ({
    name: t?.name ?? '', description: t?.description ?? '', price: t ? toMajor(t.price, t.currency) : '0', quantity: String(t?.quantity ?? 100),
    saleStartsAt: t?.saleStartsAt ? utcToZoned(t.saleStartsAt, props.timeZone) : '', saleEndsAt: t?.saleEndsAt ? utcToZoned(t.saleEndsAt, props.timeZone) : '',
    minPerOrder: String(t?.minPerOrder ?? 1), maxPerOrder: String(t?.maxPerOrder ?? 10), hidden: t?.hidden ?? false, accessCode: '', removeCode: false,
    sessionIds: t?.sessionIds ?? [],
  });
  const [values, setValues] = createSignal(initial());
  type Values = ReturnType<typeof initial>;
  const set = <K extends keyof Values>(field: K) => (value: Values[K]) => setValues({ ...values(), [field]: value });
  const form = createFormState<Field>();
  const err = (field: Field) => form.errors()[field];

  const toInput = (v: Values): TicketTypeInput => {
    // Absent keeps the stored code; null removes it; a new one replaces it.
    const accessCode = !v.hidden || v.removeCode ? null : v.accessCode.trim() ? v.accessCode.trim() : t ? undefined : null;
    return {
      name: v.name, description: v.description, price: toMinor(v.price, props.currency), quantity: Number(v.quantity),
      saleStartsAt: v.saleStartsAt ? zonedToUtc(v.saleStartsAt, props.timeZone) : null, saleEndsAt: v.saleEndsAt ? zonedToUtc(v.saleEndsAt, props.timeZone) : null,
      minPerOrder: Number(v.minPerOrder), maxPerOrder: Number(v.maxPerOrder), hidden: v.hidden, ...(accessCode === undefined ? {} : { accessCode }),
      sessionIds: v.sessionIds, position: t?.position ?? 0,
    };
  };
  /**
   * An edit sends only the fields the organizer changed, so it does not undo what someone
   * else changed meanwhile (another organizer, a script) in the fields left alone.
   */
  const changes = (): Partial<TicketTypeInput> => {
    const start = toInput(initial());
    const now = toInput(values());
    const keys = Object.keys(now) as (keyof TicketTypeInput)[];
    const changed = keys.filter((key) => JSON.stringify(now[key]) !== JSON.stringify(start[key]));
    return Object.fromEntries(changed.map((key) => [key, now[key]])) as Partial<TicketTypeInput>;
  };
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      if (t) {
        await ticketingApi.updateType(t.id, changes());
        form.setNotice('Saved.');
      } else {
        await ticketingApi.createType(props.eventId, toInput(values()));
        setValues(initial());
        form.setNotice('Ticket type added.');
      }
      props.saved();
    }, FIELDS);
  };
  const toggleSession = (id: string) => (on: boolean) =>
    set('sessionIds')(on ? [...values().sessionIds, id] : values().sessionIds.filter((s) => s !== id));

  return (
    <form class="form tickets-tab__form" onSubmit={submit} novalidate aria-label={t ? `Edit ${t.name}` : 'Add a ticket type'}>
      <h3>{t ? `Edit ${t.name}` : 'Add a ticket type'}</h3>
      <TextField id={`${prefix}-name`} label="Name" value={values().name} onValue={set('name')} error={err('name')} />
      <TextAreaField id={`${prefix}-description`} label="Description" rows={2} value={values().description} onValue={set('description')} error={err('description')} />
      <div class="form__row">
        <TextField id={`${prefix}-price`} label={`Price (${props.currency.toUpperCase()})`} inputmode="decimal" value={values().price} onValue={set('price')} error={err('price')}
          readOnly={taken > 0} hint={taken > 0 ? `Fixed at ${formatPrice(t!.price, t!.currency)}: ${taken} sold or held` : '0 for free'} />
        <TextField id={`${prefix}-quantity`} label="Quantity" inputmode="numeric" value={values().quantity} onValue={set('quantity')} error={err('quantity')}
          hint={taken > 0 ? `At least ${taken} (sold or held)` : undefined} />
      </div>
      <div class="form__row">
        <TextField id={`${prefix}-min`} label="Fewest per order" inputmode="numeric" value={values().minPerOrder} onValue={set('minPerOrder')} error={err('minPerOrder')} />
        <TextField id={`${prefix}-max`} label="Most per order" inputmode="numeric" value={values().maxPerOrder} onValue={set('maxPerOrder')} error={err('maxPerOrder')} />
      </div>
      <div class="form__row">
        <TextField id={`${prefix}-sale-start`} label="Sales open" type="datetime-local" hint={`Empty: at once (${props.timeZone})`} value={values().saleStartsAt} onValue={set('saleStartsAt')} error={err('saleStartsAt')} />
        <TextField id={`${prefix}-sale-end`} label="Sales close" type="datetime-local" hint="Empty: until the event" value={values().saleEndsAt} onValue={set('saleEndsAt')} error={err('saleEndsAt')} />
      </div>
      <CheckField id={`${prefix}-hidden`} label="Hidden: offered only with an access code" checked={values().hidden} onValue={set('hidden')} />
      <Show when={values().hidden}>
        <TextField id={`${prefix}-code`} label="Access code" autocomplete="off" value={values().accessCode} onValue={set('accessCode')} error={err('accessCode')}
          hint={t?.hasAccessCode ? 'Empty keeps the current code' : 'Empty: only the event’s own access code opens it'} />
        <Show when={t?.hasAccessCode}>
          <CheckField id={`${prefix}-remove-code`} label="Remove this type’s own code" checked={values().removeCode} onValue={set('removeCode')} />
        </Show>
      </Show>
      <Show when={props.sessions.length > 0}>
        <fieldset class="organize-checks">
          <legend class="field__label">Sessions it grants</legend>
          <p class="field__hint">None ticked: every session.</p>
          <For each={props.sessions}>{(s) => (
            <CheckField id={`${prefix}-session-${s.id}`} label={s.title} checked={values().sessionIds.includes(s.id)} onValue={toggleSession(s.id)} />
          )}</For>
          <Show when={err('sessionIds')}><p class="field__error">{err('sessionIds')}</p></Show>
        </fieldset>
      </Show>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <div class="organize-actions">
        <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>{t ? 'Save ticket type' : 'Add ticket type'}</SubmitButton>
        <Show when={props.cancel}><button type="button" class="button" onClick={() => props.cancel?.()}>Close</button></Show>
      </div>
    </form>
  );
}
