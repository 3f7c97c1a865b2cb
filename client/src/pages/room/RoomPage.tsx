/**
 * `/rooms/:sessionId`: the live room of an event session. Asks for a join token (which
 * decides the role, or says why not and where to get a ticket), shows the device check,
 * then the lobby or the room, and the end states (removed, ended, denied).
 */
import { useParams } from '@solidjs/router';
import { createResource, createSignal, Match, onCleanup, Show, Switch } from 'solid-js';
import { useRealtime } from '../../shell/realtime-context.tsx';
import { DevicePicker } from './DevicePicker.tsx';
import { Lobby } from './Lobby.tsx';
import { RoomMedia } from './room-media.ts';
import { RoomStage } from './RoomStage.tsx';
import { RecordingNotice } from './RecordingControl.tsx';
import { LiveFallback } from '../watch/LiveFallback.tsx';
import { fetchJoinTicket, type JoinTicket, RoomRefusal } from './signaling.ts';
import './room.css';

declare global {
  interface Window {
    /** The room's state and media statistics, for support and for the browser tests. */
    plenaryRoom?: { media: RoomMedia };
  }
}

function Refused(props: { error: unknown; sessionId: string }) {
  const refusal = () => (props.error instanceof RoomRefusal ? props.error : null);
  return (
    <section class="notice notice--error room-refused" role="alert" data-testid="room-refused">
      <div>
        <h1 class="notice__title">You cannot enter this room</h1>
        <p>{(props.error as Error)?.message ?? 'Something went wrong.'}</p>
        <Show when={refusal()?.ticketUrl}>
          <a class="button button--primary" href={refusal()!.ticketUrl!}>Get a ticket</a>
        </Show>
        <Show when={refusal()?.status === 401}>
          <a class="button button--primary" href={`/log-in?next=${encodeURIComponent(`/rooms/${props.sessionId}`)}`}>Log in</a>
        </Show>
      </div>
    </section>
  );
}

function Room(props: { ticket: JoinTicket }) {
  const realtime = useRealtime();
  const media = new RoomMedia(realtime.client, props.ticket.token, async () => (await fetchJoinTicket(props.ticket.session.id)).token, props.ticket.routerRtpCapabilities);
  window.plenaryRoom = { media };
  onCleanup(() => {
    media.close();
    if (window.plenaryRoom?.media === media) delete window.plenaryRoom;
  });
  const [left, setLeft] = createSignal(false);
  const view = media.view;
  const leave = () => {
    void media.leave();
    setLeft(true);
  };
  return (
    <Switch>
      <Match when={left()}>
        <section class="notice room-end" data-testid="room-left">
          <div>
            <h1 class="notice__title">You left the room</h1>
            <a class="button button--primary" href={`/rooms/${props.ticket.session.id}`}>Join again</a>
          </div>
        </section>
      </Match>
      <Match when={view.phase === 'idle' || view.phase === 'joining' || (view.phase === 'failed' && !view.peerId)}>
        <div class="room-prejoin">
          <header class="room__header">
            <h1 class="room__title">{props.ticket.session.title}</h1>
            <p class="room__subtitle">{props.ticket.event.title} · you join as {props.ticket.role === 'attendee' ? 'an attendee' : `a ${props.ticket.role}`}</p>
          </header>
          <RecordingNotice sessionId={props.ticket.session.id} />
          <Show when={view.phase === 'failed'}><p class="form-alert" role="alert">{view.error}</p><LiveFallback sessionId={props.ticket.session.id} /></Show>
          <DevicePicker publishes={props.ticket.role !== 'attendee'} joining={view.phase === 'joining'} onJoin={(choice) => void media.join(choice).catch(() => {})} />
        </div>
      </Match>
      <Match when={view.phase === 'lobby' && view.lobby}>
        <Lobby ticket={props.ticket} reason={view.lobby!.reason} hosts={view.lobby!.hosts} />
      </Match>
      <Match when={view.phase === 'in'}>
        <RoomStage media={media} ticket={props.ticket} onLeave={leave} />
      </Match>
      <Match when={true}>
        <section class="notice room-end" role="alert" data-testid="room-ended" data-phase={view.phase}>
          <div>
            <h1 class="notice__title">{view.phase === 'denied' ? 'A host did not let you in' : view.phase === 'ended' ? 'The session has ended' : 'You are no longer in the room'}</h1>
            <p>{view.error}</p>
            <a class="button" href={`/events/${props.ticket.event.slug}`}>Back to the event</a>
          </div>
        </section>
      </Match>
    </Switch>
  );
}

export function RoomPage() {
  const params = useParams<{ sessionId: string }>();
  const [ticket] = createResource(() => params.sessionId, fetchJoinTicket);
  return (
    <div class="room-page">
      <Switch fallback={<p class="loading" role="status">Opening the room…</p>}>
        <Match when={ticket.error}>
          <Refused error={ticket.error} sessionId={params.sessionId} />
        </Match>
        <Match when={ticket()}>{(loaded) => <Room ticket={loaded()} />}</Match>
      </Switch>
    </div>
  );
}
