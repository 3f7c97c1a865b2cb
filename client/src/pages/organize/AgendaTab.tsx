import { createSignal, For, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { type AgendaSession, organizeApi } from './api.ts';
import { CheckField, EditableItem, numberOrNull, SelectField, TextAreaField } from './controls.tsx';
import type { TabProps } from './EventEditorPage.tsx';
import { formatInZone, utcToZoned, zonedToUtc } from './time.ts';

/** The agenda: sessions in time order, each editable in place, and a form to add one. */
export function AgendaTab(props: TabProps) {
  const [editing, setEditing] = createSignal<string | null>(null);
  const zone = () => props.detail.event.timeZone;
  return (
    <div class="organize-grid">
      <section class="card organize-grid__wide" aria-labelledby="agenda-heading">
        <h2 id="agenda-heading" class="card__title">Agenda</h2>
        <p class="form-note">Times are in the event's zone, {zone()}.</p>
        <ul class="organize-list">
          <For each={props.detail.sessions} fallback={<li class="form-note">No sessions yet.</li>}>{(s) => (
            <EditableItem label={s.title} canEdit={props.detail.permissions.update} editing={editing() === s.id}
              toggle={() => setEditing(editing() === s.id ? null : s.id)} summary={
                <div>
                  <strong>{s.title}</strong>
                  <div class="organize-list__meta">
                    {formatInZone(s.startsAt, zone())} – {formatInZone(s.endsAt, zone(), 'time')}{s.track ? ` · ${s.track}` : ''}
                    {s.liveRoom ? ' · live room' : ''}{s.recording ? ' · recorded' : ''}
                  </div>
                </div>
              }>
              <SessionForm {...props} session={s} done={() => { setEditing(null); props.reload(); }} />
            </EditableItem>
          )}</For>
        </ul>
      </section>
      <Show when={props.detail.permissions.update && props.detail.event.status !== 'cancelled'}>
        <section class="card organize-grid__wide" aria-labelledby="add-session">
          <h2 id="add-session" class="card__title">Add a session</h2>
          <SessionForm {...props} done={props.reload} />
        </section>
      </Show>
    </div>
  );
}

function SessionForm(props: TabProps & { session?: AgendaSession; done: () => void }) {
  const zone = () => props.detail.event.timeZone;
  const s = props.session;
  const initial = () => ({
    title: s?.title ?? '', description: s?.description ?? '', track: s?.track ?? '',
    startsAt: utcToZoned(s?.startsAt ?? props.detail.event.startsAt, zone()), endsAt: utcToZoned(s?.endsAt ?? props.detail.event.startsAt, zone()),
    capacity: s?.capacity?.toString() ?? '', maxPeers: s?.maxPeers?.toString() ?? '', maxPublishers: s?.maxPublishers?.toString() ?? '',
    liveRoom: s?.liveRoom ?? true, recording: s?.recording ?? false, lobbyMode: (s?.lobbyMode ?? 'ticket_holders') as string,
    speakerIds: s?.speakerIds ?? [], ticketTypeIds: s?.ticketTypeIds ?? [],
  });
  const [values, setValues] = createSignal(initial());
  type Values = ReturnType<typeof initial>;
  const set = <K extends keyof Values>(field: K) => (value: Values[K]) => setValues({ ...values(), [field]: value });
  const toggle = (field: 'speakerIds' | 'ticketTypeIds', id: string) => (on: boolean) =>
    set(field)(on ? [...values()[field], id] : values()[field].filter((x) => x !== id));
  const form = createFormState<string>();
  const prefix = s ? `session-${s.id}` : 'session-new';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const v = values();
    const input = {
      title: v.title, description: v.description, track: v.track, startsAt: zonedToUtc(v.startsAt, zone()), endsAt: zonedToUtc(v.endsAt, zone()),
      capacity: numberOrNull(v.capacity), maxPeers: numberOrNull(v.maxPeers), maxPublishers: numberOrNull(v.maxPublishers),
      liveRoom: v.liveRoom, recording: v.recording, lobbyMode: v.lobbyMode as AgendaSession['lobbyMode'], speakerIds: v.speakerIds, ticketTypeIds: v.ticketTypeIds,
    };
    void form.run(async () => {
      if (s) await organizeApi.updateSession(s.id, input);
      else {
        await organizeApi.addSession(props.detail.event.id, input);
        setValues(initial());
      }
      props.done();
    }, Object.keys(v));
  };
  const err = (field: string) => form.errors()[field];
  return (
    <form class="form organize-subform" novalidate onSubmit={submit} aria-label={s ? `Edit ${s.title}` : 'New session'}>
      <FormMessages alert={form.alert()} />
      <TextField id={`${prefix}-title`} label="Session title" value={values().title} onValue={set('title')} error={err('title')} />
      <div class="form__row">
        <TextField id={`${prefix}-start`} label="Starts" type="datetime-local" value={values().startsAt} onValue={set('startsAt')} error={err('startsAt')} />
        <TextField id={`${prefix}-end`} label="Ends" type="datetime-local" value={values().endsAt} onValue={set('endsAt')} error={err('endsAt')} />
      </div>
      <TextAreaField id={`${prefix}-description`} label="Description" rows={3} value={values().description} onValue={set('description')} error={err('description')} />
      <div class="form__row">
        <TextField id={`${prefix}-track`} label="Track" value={values().track} onValue={set('track')} error={err('track')} />
        <TextField id={`${prefix}-capacity`} label="Capacity" type="number" min="1" hint="Empty: no limit" value={values().capacity} onValue={set('capacity')} error={err('capacity')} />
      </div>
      <div class="organize-checks">
        <CheckField id={`${prefix}-live`} label="Live room" checked={values().liveRoom} onValue={set('liveRoom')} />
        <CheckField id={`${prefix}-recording`} label="Record it" checked={values().recording} onValue={set('recording')} />
      </div>
      <Show when={values().liveRoom}>
        <div class="form__row">
          <SelectField id={`${prefix}-lobby`} label="Who enters without knocking" value={values().lobbyMode}
            options={[['ticket_holders', 'Ticket holders'], ['knock', 'Everyone knocks']] as const} onValue={set('lobbyMode')} />
          <TextField id={`${prefix}-peers`} label="Most people in the room" type="number" min="1" value={values().maxPeers} onValue={set('maxPeers')} error={err('maxPeers')} />
          <TextField id={`${prefix}-publishers`} label="Most on stage" type="number" min="1" value={values().maxPublishers} onValue={set('maxPublishers')} error={err('maxPublishers')} />
        </div>
      </Show>
      <Show when={props.detail.speakers.length > 0}>
        <fieldset class="organize-checks">
          <legend class="field__label">Speakers</legend>
          <For each={props.detail.speakers}>{(sp) => (
            <CheckField id={`${prefix}-speaker-${sp.id}`} label={sp.name} checked={values().speakerIds.includes(sp.id)} onValue={toggle('speakerIds', sp.id)} />
          )}</For>
        </fieldset>
      </Show>
      <Show when={props.detail.ticketTypes.length > 0}>
        <fieldset class="organize-checks">
          <legend class="field__label">Ticket types limited to this session</legend>
          <p class="field__hint">A type ticked in no session admits to every session.</p>
          <For each={props.detail.ticketTypes}>{(t) => (
            <CheckField id={`${prefix}-type-${t.id}`} label={t.name} checked={values().ticketTypeIds.includes(t.id)} onValue={toggle('ticketTypeIds', t.id)} />
          )}</For>
        </fieldset>
      </Show>
      <div class="organize-actions">
        <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>{s ? 'Save session' : 'Add session'}</SubmitButton>
        <Show when={s}>
          <button type="button" class="button button--danger" onClick={() => void form.run(async () => { await organizeApi.removeSession(s!.id); props.done(); })}>
            Remove session
          </button>
        </Show>
      </div>
    </form>
  );
}
