/**
 * The host's controls for a session's sponsor overlay: pick a sponsor and a style, then show
 * it now (optionally for N seconds), schedule it for a time, rotate through the ticked ones
 * every N seconds, or hide it. For the room page's host panel and the organizer's sponsors page.
 */
import { createResource, createSignal, For, Show } from 'solid-js';
import { RealtimeError } from '../../api/realtime.ts';
import { useRealtime } from '../../shell/realtime-context.tsx';
import { type OverlayCommand, type OverlayState, type OverlayStyle, sponsorsApi } from './api.ts';
import './sponsors.css';

export function SponsorOverlayControls(props: { eventId: string; sessionId: string }) {
  const { client } = useRealtime();
  const [tiers] = createResource(() => props.eventId, (id) => sponsorsApi.list(id).then((r) => r.tiers));
  const sponsors = () => (tiers.latest ?? []).flatMap((t) => t.sponsors);
  const [sponsorId, setSponsorId] = createSignal('');
  const [style, setStyle] = createSignal<OverlayStyle>('lower_third');
  const [seconds, setSeconds] = createSignal('');
  const [at, setAt] = createSignal('');
  const [rotation, setRotation] = createSignal<string[]>([]);
  const [state, setState] = createSignal<OverlayState | null>(null);
  const [error, setError] = createSignal('');
  const chosen = () => sponsorId() || sponsors()[0]?.id || '';
  const duration = () => (Number(seconds()) >= 3 ? Number(seconds()) : undefined);
  const id = (name: string) => `overlay-${props.sessionId}-${name}`;

  const send = async (command: OverlayCommand) => {
    setError('');
    try {
      setState((await client.request('sponsors.overlay.control', { sessionId: props.sessionId, command })).overlay);
    } catch (e) {
      setError(e instanceof RealtimeError ? e.message : 'The overlay could not be changed');
    }
  };

  return (
    <section class="overlay-controls card" aria-labelledby={id('title')}>
      <h3 class="card__title" id={id('title')}>Sponsor overlay</h3>
      <Show when={sponsors().length > 0} fallback={<p class="form-note">Add sponsors to this event to show them in the room.</p>}>
        <div class="overlay-controls__grid">
          <div class="field">
            <label class="field__label" for={id('sponsor')}>Sponsor</label>
            <select class="field__input" id={id('sponsor')} value={chosen()} onChange={(e) => setSponsorId(e.currentTarget.value)}>
              <For each={sponsors()}>{(s) => <option value={s.id}>{s.name}</option>}</For>
            </select>
          </div>
          <div class="field">
            <label class="field__label" for={id('style')}>Style</label>
            <select class="field__input" id={id('style')} value={style()} onChange={(e) => setStyle(e.currentTarget.value as OverlayStyle)}>
              <option value="lower_third">Lower third</option>
              <option value="banner">Banner</option>
            </select>
          </div>
          <div class="field">
            <label class="field__label" for={id('seconds')}>Seconds (for how long, or rotation interval)</label>
            <input class="field__input" id={id('seconds')} type="number" min="3" max="3600" inputmode="numeric" value={seconds()} onInput={(e) => setSeconds(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label class="field__label" for={id('at')}>Show at</label>
            <input class="field__input" id={id('at')} type="datetime-local" value={at()} onInput={(e) => setAt(e.currentTarget.value)} />
          </div>
        </div>
        <fieldset class="overlay-controls__rotation">
          <legend>Rotate through</legend>
          <For each={sponsors()}>
            {(s) => (
              <label class="overlay-controls__check">
                <input type="checkbox" checked={rotation().includes(s.id)}
                  onChange={(e) => setRotation(e.currentTarget.checked ? [...rotation(), s.id] : rotation().filter((x) => x !== s.id))} />
                {s.name}
              </label>
            )}
          </For>
        </fieldset>
        <div class="action-row">
          <button type="button" class="button button--primary" onClick={() => void send({ mode: 'show', sponsorId: chosen(), style: style(), durationSeconds: duration() })}>Show now</button>
          <button type="button" class="button" disabled={!at()}
            onClick={() => void send({ mode: 'schedule', sponsorId: chosen(), style: style(), at: new Date(at()).toISOString(), durationSeconds: duration() })}>Schedule</button>
          <button type="button" class="button" disabled={rotation().length === 0 || !duration()}
            onClick={() => void send({ mode: 'rotate', sponsorIds: rotation(), style: style(), everySeconds: duration()! })}>Rotate</button>
          <button type="button" class="button" onClick={() => void send({ mode: 'hide' })}>Hide</button>
        </div>
        <p class="form-note" role="status">{describe(state())}</p>
        <Show when={error()}>
          <p class="form-alert" role="alert">{error()}</p>
        </Show>
      </Show>
    </section>
  );
}

function describe(state: OverlayState | null): string {
  if (!state || state.mode === 'hidden') return 'The overlay is hidden.';
  if (state.mode === 'scheduled') return `Scheduled for ${new Date(state.scheduledAt!).toLocaleString()}.`;
  if (state.mode === 'rotating') return `Rotating every ${state.everySeconds} s; now showing ${state.sponsor?.name}.`;
  return `Showing ${state.sponsor?.name}${state.until ? ` until ${new Date(state.until).toLocaleTimeString()}` : ''}.`;
}
