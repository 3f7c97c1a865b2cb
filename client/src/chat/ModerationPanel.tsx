/**
 * A channel's moderation view for the event team: open reports (the message, its author,
 * who reported it and why) with delete, mute-for-a-time and dismiss, and the mutes in
 * force with unmute.
 */
import { createSignal, For, onMount, Show } from 'solid-js';
import type { RealtimeError } from '../api/realtime.ts';
import { useRealtime } from '../shell/realtime-context.tsx';
import type { ChatMute, ChatReport } from './protocol.ts';

const MUTE_CHOICES = [
  { minutes: 10, label: '10 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 1_440, label: '1 day' },
];

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function ModerationPanel(props: { channel: string }) {
  const { client } = useRealtime();
  const [reports, setReports] = createSignal<ChatReport[]>([]);
  const [mutes, setMutes] = createSignal<ChatMute[]>([]);
  const [minutes, setMinutes] = createSignal<Record<string, number>>({});
  const [error, setError] = createSignal('');
  const [status, setStatus] = createSignal('');

  const load = async () => {
    const [r, m] = await Promise.all([
      client.request('chat.reports', { channel: props.channel }),
      client.request('chat.mutes', { channel: props.channel }),
    ]);
    setReports(r.reports);
    setMutes(m.mutes);
  };
  const act = (run: () => Promise<unknown>, done: string) =>
    run().then(load).then(() => { setError(''); setStatus(done); }, (e: RealtimeError) => setError(e.message));
  onMount(() => void act(async () => undefined, ''));

  const resolve = (report: ChatReport, action: 'delete' | 'mute' | 'dismiss') =>
    act(() => client.request('chat.reports.resolve', {
      reportId: report.id, action, ...(action === 'mute' ? { minutes: minutes()[report.id] ?? MUTE_CHOICES[0].minutes } : {}),
    }), action === 'delete' ? 'Message deleted.' : action === 'mute' ? `${report.author.name} is muted.` : 'Report dismissed.');

  return (
    <section class="moderation" aria-label="Reports and mutes">
      <div class="moderation__head">
        <h3 class="moderation__title">Reports</h3>
        <button type="button" class="button" onClick={() => void act(async () => undefined, 'Refreshed.')}>Refresh</button>
      </div>
      <p class="visually-hidden" role="status">{status()}</p>
      <Show when={error()}><p class="field__error" role="alert">{error()}</p></Show>
      <Show when={reports().length > 0} fallback={<p class="form-note">No open reports.</p>}>
        <ul class="moderation__list">
          <For each={reports()}>
            {(report) => (
              <li class="moderation__item" data-testid="report">
                <p class="moderation__message">
                  <strong>{report.author.name}:</strong>{' '}
                  <Show when={!report.messageDeleted} fallback={<em>message removed</em>}>{report.text}</Show>
                </p>
                <p class="form-note">Reported by {report.reporter.name} · {time(report.createdAt)} · “{report.reason}”</p>
                <div class="moderation__actions" role="group" aria-label={`Actions on the report by ${report.reporter.name}`}>
                  <button type="button" class="chat__action chat__action--danger" onClick={() => void resolve(report, 'delete')}>Delete message</button>
                  <label class="moderation__mute">
                    <span class="visually-hidden">Mute {report.author.name} for</span>
                    <select value={minutes()[report.id] ?? MUTE_CHOICES[0].minutes}
                      onChange={(e) => setMinutes({ ...minutes(), [report.id]: Number(e.currentTarget.value) })}>
                      <For each={MUTE_CHOICES}>{(choice) => <option value={choice.minutes}>{choice.label}</option>}</For>
                    </select>
                  </label>
                  <button type="button" class="chat__action" onClick={() => void resolve(report, 'mute')}>Mute {report.author.name}</button>
                  <button type="button" class="chat__action" onClick={() => void resolve(report, 'dismiss')}>Dismiss</button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <h3 class="moderation__title">Muted here</h3>
      <Show when={mutes().length > 0} fallback={<p class="form-note">Nobody is muted in this chat.</p>}>
        <ul class="moderation__list">
          <For each={mutes()}>
            {(mute) => (
              <li class="moderation__item moderation__item--row" data-testid="mute">
                <span>{mute.user.name} until {time(mute.until)}<Show when={mute.mutedBy}>{(by) => <> (by {by().name})</>}</Show></span>
                <button type="button" class="chat__action" aria-label={`Unmute ${mute.user.name}`}
                  onClick={() => void act(() => client.request('chat.mute', { channel: props.channel, userId: mute.user.id, minutes: 0 }), `${mute.user.name} can write again.`)}>
                  Unmute
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
