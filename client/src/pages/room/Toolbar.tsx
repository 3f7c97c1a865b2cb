/**
 * The room's controls: microphone, camera and screen (for whoever is on stage), the hand (for
 * the audience, who need one to come on stage), panels, leave, and for hosts the end of the
 * session. Each names its keyboard shortcut. On a phone the toolbar keeps one row: the
 * controls used all the time stay, the rest fold into a "More" disclosure.
 */
import { createSignal, createUniqueId, type JSX, onCleanup, Show } from 'solid-js';
import type { RoomMedia } from './room-media.ts';

type Panel = 'none' | 'people' | 'chat';

/** The width below which the toolbar folds (room.css's phone layout). */
const PHONE_QUERY = '(max-width: 40rem)';

/** Whether a media query matches, following changes (a rotated phone, a resized window). */
function mediaQuery(query: string): () => boolean {
  const list = window.matchMedia(query);
  const [matches, setMatches] = createSignal(list.matches);
  const update = () => setMatches(list.matches);
  list.addEventListener('change', update);
  onCleanup(() => list.removeEventListener('change', update));
  return matches;
}

export function Toolbar(props: { media: RoomMedia; raised: boolean; panel: Panel; setPanel: (p: Panel) => void; onLeave: () => void }) {
  const view = props.media.view;
  const onStage = () => view.role !== 'attendee';
  const phone = mediaQuery(PHONE_QUERY);
  const toggle = (panel: Panel) => props.setPanel(props.panel === panel ? 'none' : panel);
  const end = () => {
    if (confirm('End this session for everyone in the room?')) void props.media.act('room.end');
  };

  const microphone = () => (
    <button type="button" class="toolbar__button" aria-pressed={view.local.microphone} aria-keyshortcuts="M" onClick={() => void props.media.toggle('microphone')}
      title="Microphone (M)">{view.local.microphone ? 'Mute' : 'Unmute'}</button>
  );
  const camera = () => (
    <button type="button" class="toolbar__button" aria-pressed={view.local.camera} aria-keyshortcuts="V" onClick={() => void props.media.toggle('camera')}
      title="Camera (V)">{view.local.camera ? 'Stop video' : 'Start video'}</button>
  );
  const screen = () => (
    <button type="button" class="toolbar__button" aria-pressed={view.local.screen} aria-keyshortcuts="S" onClick={() => void props.media.toggleScreen()}
      title="Share screen (S)">{view.local.screen ? 'Stop sharing' : 'Share screen'}</button>
  );
  const hand = () => (
    <button type="button" class="toolbar__button" aria-pressed={props.raised} aria-keyshortcuts="H" title="Raise hand (H)"
      onClick={() => void props.media.act(props.raised ? 'room.hand.lower' : 'room.hand.raise')}>{props.raised ? 'Lower hand' : 'Raise hand'}</button>
  );
  const people = () => (
    <button type="button" class="toolbar__button" aria-pressed={props.panel === 'people'} aria-keyshortcuts="P" title="People (P)" onClick={() => toggle('people')}>
      People{view.role === 'host' && view.lobbyEntries.length > 0 ? ` (${view.lobbyEntries.length} waiting)` : ''}
    </button>
  );
  const chat = () => <button type="button" class="toolbar__button" aria-pressed={props.panel === 'chat'} onClick={() => toggle('chat')}>Chat</button>;
  const leave = () => <button type="button" class="toolbar__button toolbar__button--leave" onClick={() => props.onLeave()}>Leave</button>;
  const endForAll = () => <button type="button" class="toolbar__button toolbar__button--danger" onClick={end}>End for all</button>;

  return (
    <nav class="toolbar" aria-label="Room controls">
      <Show
        when={phone()}
        fallback={
          <>
            <Show when={onStage()}>{microphone()}{camera()}{screen()}</Show>
            <Show when={!onStage()}>{hand()}</Show>
            {people()}
            {chat()}
            {leave()}
            <Show when={view.role === 'host'}>{endForAll()}</Show>
          </>
        }
      >
        <Show when={onStage()} fallback={<>{hand()}{chat()}</>}>{microphone()}{camera()}</Show>
        {leave()}
        <MoreMenu>
          <Show when={onStage()}>{screen()}</Show>
          {people()}
          <Show when={onStage()}>{chat()}</Show>
          <Show when={view.role === 'host'}>{endForAll()}</Show>
        </MoreMenu>
      </Show>
    </nav>
  );
}

/**
 * "More": a disclosure button and the buttons it shows above the toolbar. Choosing one, Escape,
 * or a press outside closes it (Escape puts focus back on More).
 */
function MoreMenu(props: { children: JSX.Element }) {
  const id = createUniqueId();
  const [open, setOpen] = createSignal(false);
  let button: HTMLButtonElement | undefined;
  let container: HTMLDivElement | undefined;
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !open()) return;
    setOpen(false);
    button?.focus();
  };
  const onPointer = (event: PointerEvent) => {
    if (open() && container && !container.contains(event.target as Node)) setOpen(false);
  };
  document.addEventListener('keydown', onKey);
  document.addEventListener('pointerdown', onPointer);
  onCleanup(() => {
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('pointerdown', onPointer);
  });
  return (
    <div class="toolbar__more" ref={container}>
      <button ref={button} type="button" class="toolbar__button" aria-expanded={open()} aria-controls={`${id}-menu`} onClick={() => setOpen(!open())}>
        More
      </button>
      {/* A click on any control inside runs it, then closes the menu (the event bubbles here after the control's handler). */}
      <div id={`${id}-menu`} class="toolbar__menu" role="group" aria-label="More room controls" hidden={!open()}
        onClick={(event) => { if ((event.target as HTMLElement).closest('button')) setOpen(false); }}>
        {props.children}
      </div>
    </div>
  );
}
