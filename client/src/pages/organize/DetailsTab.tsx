import { useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { organizeApi, type OrganizerEvent, uploadImage } from './api.ts';
import { CheckField, numberOrNull, SelectField, TextAreaField } from './controls.tsx';
import type { TabProps } from './EventEditorPage.tsx';
import { utcToZoned, zonedToUtc } from './time.ts';

const VENUES = [['online', 'Online'], ['hybrid', 'Hybrid'], ['in_person', 'In person']] as const;

function valuesOf(e: OrganizerEvent) {
  return {
    title: e.title, slug: e.slug, summary: e.summary, description: e.description, category: e.category, tags: e.tags.join(', '),
    language: e.language, timeZone: e.timeZone, startsAt: utcToZoned(e.startsAt, e.timeZone), endsAt: utcToZoned(e.endsAt, e.timeZone),
    venueType: e.venueType as string, venueAddress: e.venueAddress, capacity: e.capacity?.toString() ?? '', currency: e.currency.toUpperCase(),
    privateMessages: e.privateMessages, vatRate: (e.vatRateBp / 100).toString(), vatInclusive: e.vatInclusive,
    cancelDeadlineHours: e.cancelDeadlineHours?.toString() ?? '', cancelFee: (e.cancelFeeBp / 100).toString(), holdMinutes: e.holdMinutes.toString(),
    reminderOffsets: e.reminderOffsets.join(', '),
  };
}
type Values = ReturnType<typeof valuesOf>;

/** Every field of the event, the cover image, and duplicate / cancel / delete. */
export function DetailsTab(props: TabProps) {
  const [values, setValues] = createSignal(valuesOf(props.detail.event));
  const set = <K extends keyof Values>(field: K) => (value: Values[K]) => setValues({ ...values(), [field]: value });
  const form = createFormState<string>();
  const readOnly = () => !props.detail.permissions.update || props.detail.event.status === 'cancelled';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const v = values();
    void form.run(async () => {
      await organizeApi.update(props.detail.event.id, {
        title: v.title, slug: v.slug, summary: v.summary, description: v.description, category: v.category,
        tags: v.tags.split(',').map((t) => t.trim()).filter(Boolean), language: v.language, timeZone: v.timeZone,
        startsAt: zonedToUtc(v.startsAt, v.timeZone), endsAt: zonedToUtc(v.endsAt, v.timeZone),
        venueType: v.venueType as OrganizerEvent['venueType'], venueAddress: v.venueAddress, capacity: numberOrNull(v.capacity), currency: v.currency,
        privateMessages: v.privateMessages, vatRateBp: Math.round(Number(v.vatRate) * 100), vatInclusive: v.vatInclusive,
        cancelDeadlineHours: numberOrNull(v.cancelDeadlineHours), cancelFeeBp: Math.round(Number(v.cancelFee) * 100), holdMinutes: Number(v.holdMinutes),
        reminderOffsets: v.reminderOffsets.split(',').map((t) => t.trim()).filter(Boolean).map(Number),
      });
      form.setNotice('Saved.');
      props.reload();
    }, Object.keys(values()).concat(['vatRateBp', 'cancelFeeBp']));
  };
  const err = (field: string) => form.errors()[field];
  return (
    <div class="organize-grid">
      <section class="card organize-grid__wide" aria-labelledby="details-heading">
        <h2 id="details-heading" class="card__title">Details</h2>
        <Show when={props.detail.event.status === 'approved'}>
          <p class="form-note">Changing the title, dates or visibility of an approved event sends it back to review.</p>
        </Show>
        <FormMessages alert={form.alert()} notice={form.notice()} />
        <form class="form" novalidate onSubmit={submit}>
          <fieldset class="organize-fieldset" disabled={readOnly()}>
            <legend class="visually-hidden">Event details</legend>
            <TextField id="ev-title" label="Title" value={values().title} onValue={set('title')} error={err('title')} />
            <div class="form__row">
              <TextField id="ev-slug" label="Address" hint="/events/…" value={values().slug} onValue={set('slug')} error={err('slug')} />
              <TextField id="ev-category" label="Category" value={values().category} onValue={set('category')} error={err('category')} />
            </div>
            <TextField id="ev-summary" label="Summary" hint="One or two sentences for listings" value={values().summary} onValue={set('summary')} error={err('summary')} maxlength={300} />
            <TextAreaField id="ev-description" label="Description" hint="Markdown: **bold**, _italic_, [links](https://…), lists, headings" rows={8}
              value={values().description} onValue={set('description')} error={err('description')} />
            <div class="form__row">
              <TextField id="ev-tags" label="Tags" hint="Separated by commas" value={values().tags} onValue={set('tags')} error={err('tags')} />
              <TextField id="ev-language" label="Language" value={values().language} onValue={set('language')} error={err('language')} />
            </div>
            <TextField id="ev-zone" label="Time zone" value={values().timeZone} onValue={set('timeZone')} error={err('timeZone')} />
            <div class="form__row">
              <TextField id="ev-start" label="Starts (event time)" type="datetime-local" value={values().startsAt} onValue={set('startsAt')} error={err('startsAt')} />
              <TextField id="ev-end" label="Ends (event time)" type="datetime-local" value={values().endsAt} onValue={set('endsAt')} error={err('endsAt')} />
            </div>
            <div class="form__row">
              <SelectField id="ev-venue" label="Venue" value={values().venueType} options={VENUES} onValue={set('venueType')} error={err('venueType')} />
              <TextField id="ev-capacity" label="Capacity" type="number" min="1" hint="Empty: no overall limit" value={values().capacity} onValue={set('capacity')} error={err('capacity')} />
            </div>
            <Show when={values().venueType !== 'online'}>
              <TextField id="ev-address" label="Venue address" value={values().venueAddress} onValue={set('venueAddress')} error={err('venueAddress')} />
            </Show>
            <h3 class="organize-subtitle">Money and policies</h3>
            <div class="form__row">
              <TextField id="ev-currency" label="Currency" value={values().currency} onValue={set('currency')} error={err('currency')} maxlength={3} />
              <TextField id="ev-vat" label="VAT rate (%)" type="number" min="0" step="0.01" value={values().vatRate} onValue={set('vatRate')} error={err('vatRateBp')} />
            </div>
            <CheckField id="ev-vat-incl" label="Prices include VAT" checked={values().vatInclusive} onValue={set('vatInclusive')} />
            <div class="form__row">
              <TextField id="ev-cancel-hours" label="Self-service cancellation until (hours before)" type="number" min="0" hint="Empty: attendees cannot cancel themselves"
                value={values().cancelDeadlineHours} onValue={set('cancelDeadlineHours')} error={err('cancelDeadlineHours')} />
              <TextField id="ev-cancel-fee" label="Cancellation fee (%)" type="number" min="0" step="0.01" value={values().cancelFee} onValue={set('cancelFee')} error={err('cancelFeeBp')} />
            </div>
            <div class="form__row">
              <TextField id="ev-hold" label="Seat hold during checkout (minutes)" type="number" min="5" value={values().holdMinutes} onValue={set('holdMinutes')} error={err('holdMinutes')} />
              <TextField id="ev-reminders" label="Reminders (minutes before each session)" value={values().reminderOffsets} onValue={set('reminderOffsets')} error={err('reminderOffsets')} />
            </div>
            <CheckField id="ev-dm" label="Attendees may message each other privately" checked={values().privateMessages} onValue={set('privateMessages')} />
            <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>Save details</SubmitButton>
          </fieldset>
        </form>
      </section>
      <CoverCard {...props} />
      <LifecycleCard {...props} />
    </div>
  );
}

function CoverCard(props: TabProps) {
  const form = createFormState<never>();
  const upload = (file: File | undefined) => {
    if (!file) return;
    void form.run(async () => {
      await uploadImage(`/organize/events/${props.detail.event.id}/cover`, file);
      props.reload();
    });
  };
  return (
    <section class="card" aria-labelledby="cover-heading">
      <h2 id="cover-heading" class="card__title">Cover image</h2>
      <FormMessages alert={form.alert()} />
      <Show when={props.detail.event.coverUrl}>
        <img class="organize-cover" src={props.detail.event.coverUrl!} alt="The event's cover" />
      </Show>
      <Show when={props.detail.permissions.update}>
        <div class="organize-actions">
          <label class="button">
            Choose an image
            <input class="visually-hidden" type="file" accept="image/png,image/jpeg,image/webp,image/gif" onChange={(e) => upload(e.currentTarget.files?.[0])} />
          </label>
          <Show when={props.detail.event.coverUrl}>
            <button type="button" class="button" onClick={() => void form.run(async () => { await organizeApi.removeCover(props.detail.event.id); props.reload(); })}>Remove</button>
          </Show>
        </div>
        <p class="form-note">PNG, JPEG, WebP or GIF up to 8 MB, cropped to 2:1.</p>
      </Show>
    </section>
  );
}

function LifecycleCard(props: TabProps) {
  const navigate = useNavigate();
  const form = createFormState<'reason'>();
  const [reason, setReason] = createSignal('');
  const id = () => props.detail.event.id;
  return (
    <section class="card" aria-labelledby="lifecycle-heading">
      <h2 id="lifecycle-heading" class="card__title">Copy, cancel or delete</h2>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <div class="organize-actions">
        <button type="button" class="button" onClick={() => void form.run(async () => navigate(`/organize/events/${(await organizeApi.duplicate(id())).event.id}/details`))}>
          Duplicate
        </button>
        <Show when={props.detail.permissions.delete}>
          <button type="button" class="button button--danger" onClick={() => {
            if (!confirm('Delete this event for good?')) return;
            void form.run(async () => { await organizeApi.remove(id()); navigate('/organize'); });
          }}>Delete</button>
        </Show>
      </div>
      <p class="form-note">An event with orders cannot be deleted; cancel it instead.</p>
      <Show when={props.detail.permissions.cancel && props.detail.event.status !== 'cancelled'}>
        <form class="form organize-subform" novalidate onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            const { notified } = await organizeApi.cancel(id(), reason());
            form.setNotice(`Cancelled; ${notified} ticket holder${notified === 1 ? '' : 's'} told, paid orders refunded.`);
            props.reload();
          }, ['reason']);
        }}>
          <TextField id="cancel-reason" label="Reason for cancelling (sent to ticket holders)" value={reason()} onValue={setReason} error={form.errors().reason} />
          <button type="submit" class="button button--danger">Cancel the event</button>
        </form>
      </Show>
    </section>
  );
}
