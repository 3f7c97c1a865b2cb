/**
 * Inside the room: the stage (tiles for hosts and speakers, the active speaker emphasized),
 * a screen-share layout when someone shares, an audience count instead of a tile per
 * attendee, remote audio, the toolbar with keyboard shortcuts, and the side panels.
 */
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { onConversationRequested } from '../../chat/PrivateMessages.tsx';
import { RoomSidePanel } from '../../chat/RoomSidePanel.tsx';
import { RecordingIndicator } from './RecordingControl.tsx';
import { StreamControl } from './StreamControl.tsx';
import { SponsorOverlay } from '../sponsors/SponsorOverlay.tsx';
import { SponsorOverlayControls } from '../sponsors/SponsorOverlayControls.tsx';
import { HostActions, ParticipantPanel } from './ParticipantPanel.tsx';
import type { RoomMedia } from './room-media.ts';
import type { JoinTicket, Participant } from './signaling.ts';
import { Tile } from './Tile.tsx';
import { Toolbar } from './Toolbar.tsx';

function RemoteAudio(props: { track: MediaStreamTrack | undefined }) {
  let audio: HTMLAudioElement | undefined;
  onMount(() => {
    if (audio && props.track) {
      audio.srcObject = new MediaStream([props.track]);
      void audio.play().catch(() => {});
    }
  });
  return <audio ref={audio} autoplay />;
}

export function RoomStage(props: { media: RoomMedia; ticket: JoinTicket; onLeave: () => void }) {
  const media = props.media;
  const view = media.view;
  const [panel, setPanel] = createSignal<'none' | 'people' | 'chat'>('none');
  // "Message" beside a participant opens the chat panel, whose Messages tab opens the conversation.
  onCleanup(onConversationRequested(() => setPanel('chat')));

  const isHost = () => view.role === 'host';
  /** Hosts, speakers and raised hands; the audience is a count (sfu/room-roster.ts). */
  const participants = () => view.state?.stage ?? [];
  const byPeer = createMemo(() => new Map(participants().map((p) => [p.peerId, p])));
  const tracks = () => Object.values(view.tracks);
  const videoOf = (peerId: string, source: string) => tracks().find((t) => t.peerId === peerId && t.source === source && t.kind === 'video');
  const screens = createMemo(() => tracks().filter((t) => t.source === 'screen'));
  const audios = createMemo(() => tracks().filter((t) => t.kind === 'audio'));
  /** Hosts and speakers, and anyone sending video, get a tile; the rest is the audience. */
  const stage = createMemo(() =>
    participants().filter((p) => p.peerId !== view.peerId && (p.role !== 'attendee' || videoOf(p.peerId, 'camera'))),
  );
  const audience = () => view.state?.audience ?? 0;
  const me = () => byPeer().get(view.peerId);
  const raised = () => (me()?.hand ?? null) !== null;

  /** A stage tile; its host actions are the quick ones, the People panel has them all. */
  const remoteTile = (person: Participant) => {
    const video = () => videoOf(person.peerId, 'camera');
    return (
      <Tile
        name={person.name}
        role={person.role}
        track={() => {
          const v = video();
          return v && !v.producerPaused ? media.track(v.consumerId) : undefined;
        }}
        consumerId={video()?.consumerId}
        microphone={person.microphone}
        hand={person.hand}
        score={video()?.score ?? 10}
        active={view.activeSpeaker === person.peerId}
        onVisibility={(id, visible, width) => void media.setVisibility(id, visible, width)}
      >
        <Show when={isHost()}>
          <HostActions media={media} person={person} compact />
        </Show>
      </Tile>
    );
  };

  const selfTile = () => (
    <Show when={view.role !== 'attendee'}>
      <Tile
        name={me()?.name ?? 'You'}
        role={view.role}
        self
        track={() => (view.local.camera ? media.localTrack('camera') : undefined)}
        microphone={view.local.microphone ? 'on' : 'off'}
        hand={me()?.hand ?? null}
        score={view.local.score}
        active={view.activeSpeaker === view.peerId}
      />
    </Show>
  );

  // Keyboard shortcuts, except while typing.
  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, textarea, select, [contenteditable="true"]')) return;
    const publishing = view.role !== 'attendee';
    const actions: Record<string, () => void> = {
      m: () => publishing && void media.toggle('microphone'),
      v: () => publishing && void media.toggle('camera'),
      s: () => publishing && void media.toggleScreen(),
      // The hand asks to come on stage: only the audience has one.
      h: () => !publishing && void media.act(raised() ? 'room.hand.lower' : 'room.hand.raise'),
      p: () => setPanel(panel() === 'people' ? 'none' : 'people'),
    };
    const action = actions[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    action();
  };
  onMount(() => document.addEventListener('keydown', onKey));
  onCleanup(() => document.removeEventListener('keydown', onKey));

  return (
    <div class="room" classList={{ 'room--panel': panel() !== 'none' }}>
      <header class="room__header">
        <div>
          <h1 class="room__title">{props.ticket.session.title}</h1>
          <p class="room__subtitle">{props.ticket.event.title} · <span data-testid="audience-count">{audience()} in the audience</span>{view.state?.locked ? ' · Locked' : ''}</p>
        </div>
        <RecordingIndicator sessionId={props.ticket.session.id} isHost={isHost()} />
        <StreamControl sessionId={props.ticket.session.id} isHost={isHost()} />
      </header>
      <Show when={view.reconnecting}>
        <p class="room__banner" role="status" data-testid="reconnect-banner">Connection lost. Reconnecting… your place in the room is kept.</p>
      </Show>
      <div class="room__notice" role="status" aria-live="polite">
        <Show when={view.notice}>
          <p class="room__banner room__banner--info">{view.notice} <button type="button" class="chip" onClick={() => media.dismissNotice()}>Dismiss</button></p>
        </Show>
      </div>
      <main class="room__main">
        <Show
          when={screens().length > 0}
          fallback={
            <section class="stage" aria-label="Stage" data-count={stage().length + (view.role !== 'attendee' ? 1 : 0)}>
              <For each={stage()}>{(person) => remoteTile(person)}</For>
              {selfTile()}
              <Show when={stage().length === 0 && view.role === 'attendee'}>
                <p class="stage__empty">Nobody is on stage yet.</p>
              </Show>
            </section>
          }
        >
          <section class="screen-layout" aria-label="Screen share">
            <For each={screens()}>
              {(screen) => (
                <Tile
                  name={`${byPeer().get(screen.peerId)?.name ?? 'Someone'}'s screen`}
                  role="screen"
                  screen
                  track={() => media.track(screen.consumerId)}
                  consumerId={screen.consumerId}
                  microphone="none"
                  hand={null}
                  score={screen.score}
                  active={false}
                  onVisibility={(id, visible, width) => void media.setVisibility(id, visible, width)}
                />
              )}
            </For>
            <div class="screen-layout__strip">
              <For each={stage()}>{(person) => remoteTile(person)}</For>
              {selfTile()}
            </div>
          </section>
        </Show>
        <Show when={panel() === 'people'}>
          <aside class="room__panel" aria-label="People">
            <ParticipantPanel media={media} isHost={isHost()} />
            <Show when={isHost()}>
              <SponsorOverlayControls eventId={props.ticket.event.id} sessionId={props.ticket.session.id} />
            </Show>
          </aside>
        </Show>
        <Show when={panel() === 'chat'}>
          <div class="room__panel">
            <RoomSidePanel eventId={props.ticket.event.id} sessionId={props.ticket.session.id} isHost={isHost()} />
          </div>
        </Show>
        <SponsorOverlay sessionId={props.ticket.session.id} />
      </main>
      <For each={audios()}>{(track) => <RemoteAudio track={media.track(track.consumerId)} />}</For>
      <Toolbar media={media} raised={raised()} panel={panel()} setPanel={setPanel} onLeave={props.onLeave} />
    </div>
  );
}
