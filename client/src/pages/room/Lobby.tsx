/**
 * The lobby: the event and session, a countdown to the start, who is hosting, and why the
 * person waits (the room is not open yet, it is locked, or this session lets hosts admit).
 */
import { createSignal, onCleanup, Show } from 'solid-js';
import { SponsorStrip } from '../sponsors/SponsorStrip.tsx';
import type { JoinTicket } from './signaling.ts';

const REASONS: Record<string, string> = {
  not_open: 'The host has not opened the room yet. You will be let in as soon as they do.',
  locked: 'The room is locked. A host will let you in.',
  knock: 'A host lets people in to this session. They know you are here.',
};

export function countdown(startsAt: string, now: number): string {
  const ms = Date.parse(startsAt) - now;
  if (!(ms > 0)) return 'Starting now';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `Starts in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `Starts in ${hours} h ${minutes % 60} min`;
}

export function Lobby(props: { ticket: JoinTicket; reason: string; hosts: string[] }) {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 15_000);
  onCleanup(() => clearInterval(timer));
  const when = () => new Date(props.ticket.session.startsAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section class="lobby card" aria-labelledby="lobby-heading" data-testid="lobby">
      <p class="lobby__event">{props.ticket.event.title}</p>
      <h2 id="lobby-heading" class="lobby__title">{props.ticket.session.title}</h2>
      <p class="lobby__when"><time dateTime={props.ticket.session.startsAt}>{when()}</time> · {countdown(props.ticket.session.startsAt, now())}</p>
      <p class="lobby__reason" role="status">{REASONS[props.reason] ?? 'Please wait; a host will let you in.'}</p>
      <Show when={props.hosts.length > 0} fallback={<p class="lobby__hosts">No host has arrived yet.</p>}>
        <p class="lobby__hosts">Hosted by {props.hosts.join(', ')}</p>
      </Show>
      <SponsorStrip eventId={props.ticket.event.id} placement="lobby" title="Thanks to our sponsors" />
    </section>
  );
}
