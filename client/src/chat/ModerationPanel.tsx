/**
 * A channel's moderation view for the event team: open reports (the message, its author,
 * who reported it and why) with delete, mute-for-a-time and dismiss, and the mutes in
 * force with unmute. Under them, the same for the event's private messages (`dm:<event>`):
 * each reported message alone, never the conversation around it, and mutes that stop the
 * author's private messages in the whole event.
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

type Action = 'delete' | 'mute' | 'dismiss';

/** One list of reports with their actions; `muteLabel` names what the mute stops. */
function ReportList(props: {
  reports: ChatReport[];
  empty: string;
  muteLabel: (name: string) => string;
  onResolve: (report: ChatReport, action: Action, minutes: number) => void;
}) {
  const [minutes, setMinutes] = createSignal<Record<string, number>>({});
  const chosen = (report: ChatReport) => minutes()[report.id] ?? MUTE_CHOICES[0].minutes;
  return (
    <Show when={props.reports.length > 0} fallback={<p class="form-note">{props.empty}</p>}>
      <ul class="moderation__list">
        <For each={props.reports}>
          {(report) => (
            <li class="moderation__item" data-testid="report">
              <p class="moderation__message">
                <strong>{report.author.name}:</strong>{' '}
                <Show when={!report.messageDeleted} fallback={<em>message removed</em>}>{report.text}</Show>
              </p>
              <p class="moderation__reason"><span class="moderation__reason-label">Reason:</span> {report.reason}</p>
              <p class="moderation__meta">Reported by {report.reporter.name} · {time(report.createdAt)}</p>
              <div class="moderation__actions" role="group" aria-label={`Actions on the report by ${report.reporter.name}`}>
                <button type="button" class="chat__action chat__action--danger" onClick={() => props.onResolve(report, 'delete', chosen(report))}>Delete message</button>
                <label class="moderation__mute">
                  <span class="visually-hidden">{props.muteLabel(report.author.name)} for</span>
                  <select value={chosen(report)} onChange={(e) => setMinutes({ ...minutes(), [report.id]: Number(e.currentTarget.value) })}>
                    <For each={MUTE_CHOICES}>{(choice) => <option value={choice.minutes}>{choice.label}</option>}</For>
                  </select>
                </label>
                <button type="button" class="chat__action" onClick={() => props.onResolve(report, 'mute', chosen(report))}>{props.muteLabel(report.author.name)}</button>
                <button type="button" class="chat__action" onClick={() => props.onResolve(report, 'dismiss', chosen(report))}>Dismiss</button>
              </div>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** The mutes in force under one scope, each with its unmute button. */
function MuteList(props: { mutes: ChatMute[]; empty: string; onUnmute: (mute: ChatMute) => void }) {
  return (
    <Show when={props.mutes.length > 0} fallback={<p class="form-note">{props.empty}</p>}>
      <ul class="moderation__list">
        <For each={props.mutes}>
          {(mute) => (
            <li class="moderation__item moderation__item--row" data-testid="mute">
              <span>{mute.user.name} until {time(mute.until)}<Show when={mute.mutedBy}>{(by) => <> (by {by().name})</>}</Show></span>
              <button type="button" class="chat__action" aria-label={`Unmute ${mute.user.name}`} onClick={() => props.onUnmute(mute)}>Unmute</button>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

export function ModerationPanel(props: {
  channel: string;
  /** The channel's event: its private-message reports and mutes are shown too. */
  eventId?: string;
}) {
  const { client } = useRealtime();
  const [reports, setReports] = createSignal<ChatReport[]>([]);
  const [mutes, setMutes] = createSignal<ChatMute[]>([]);
  const [privateReports, setPrivateReports] = createSignal<ChatReport[]>([]);
  const [privateMutes, setPrivateMutes] = createSignal<ChatMute[]>([]);
  const [error, setError] = createSignal('');
  const [status, setStatus] = createSignal('');
  const privateScope = () => (props.eventId ? `dm:${props.eventId}` : null);

  const load = async () => {
    const scope = privateScope();
    const [r, m, pr, pm] = await Promise.all([
      client.request('chat.reports', { channel: props.channel }),
      client.request('chat.mutes', { channel: props.channel }),
      scope ? client.request('chat.reports', { channel: scope }) : { reports: [] },
      scope ? client.request('chat.mutes', { channel: scope }) : { mutes: [] },
    ]);
    setReports(r.reports);
    setMutes(m.mutes);
    setPrivateReports(pr.reports);
    setPrivateMutes(pm.mutes);
  };
  const act = (run: () => Promise<unknown>, done: string) =>
    run().then(load).then(() => { setError(''); setStatus(done); }, (e: RealtimeError) => setError(e.message));
  onMount(() => void act(async () => undefined, ''));

  const resolve = (report: ChatReport, action: Action, minutes: number, muted: string) =>
    void act(() => client.request('chat.reports.resolve', { reportId: report.id, action, ...(action === 'mute' ? { minutes } : {}) }),
      action === 'delete' ? 'Message deleted.' : action === 'mute' ? muted : 'Report dismissed.');
  const unmute = (scope: string, mute: ChatMute, done: string) =>
    void act(() => client.request('chat.mute', { channel: scope, userId: mute.user.id, minutes: 0 }), done);

  return (
    <section class="moderation" aria-label="Reports and mutes">
      <div class="moderation__head">
        <h3 class="moderation__title">Reports</h3>
        <button type="button" class="button" onClick={() => void act(async () => undefined, 'Refreshed.')}>Refresh</button>
      </div>
      <p class="visually-hidden" role="status">{status()}</p>
      <Show when={error()}><p class="field__error" role="alert">{error()}</p></Show>
      <ReportList reports={reports()} empty="No open reports." muteLabel={(name) => `Mute ${name}`}
        onResolve={(report, action, minutes) => resolve(report, action, minutes, `${report.author.name} is muted.`)} />
      <h3 class="moderation__title">Muted here</h3>
      <MuteList mutes={mutes()} empty="Nobody is muted in this chat."
        onUnmute={(mute) => unmute(props.channel, mute, `${mute.user.name} can write again.`)} />
      <Show when={privateScope()}>
        {(scope) => (
          <section class="moderation__private" aria-label="Reported private messages">
            <h3 class="moderation__title">Reported private messages</h3>
            <p class="form-note">You see only the message that was reported, never the rest of the conversation.</p>
            <ReportList reports={privateReports()} empty="No open reports on private messages." muteLabel={(name) => `Mute ${name} in private messages`}
              onResolve={(report, action, minutes) => resolve(report, action, minutes, `${report.author.name} is muted in private messages.`)} />
            <h3 class="moderation__title">Muted in private messages</h3>
            <MuteList mutes={privateMutes()} empty="Nobody is muted in private messages."
              onUnmute={(mute) => unmute(scope(), mute, `${mute.user.name} can send private messages again.`)} />
          </section>
        )}
      </Show>
    </section>
  );
}
