/**
 * The room's controls: microphone, camera and screen (for whoever is on stage), hand,
 * panels, leave, and for hosts the end of the session. Each names its keyboard shortcut.
 */
import { Show } from 'solid-js';
import type { RoomMedia } from './room-media.ts';

type Panel = 'none' | 'people' | 'chat';

export function Toolbar(props: { media: RoomMedia; raised: boolean; panel: Panel; setPanel: (p: Panel) => void; onLeave: () => void }) {
  const view = props.media.view;
  const onStage = () => view.role !== 'attendee';
  const toggle = (panel: Panel) => props.setPanel(props.panel === panel ? 'none' : panel);
  const end = () => {
    if (confirm('End this session for everyone in the room?')) void props.media.act('room.end');
  };
  return (
    <nav class="toolbar" aria-label="Room controls">
      <Show when={onStage()}>
        <button type="button" class="toolbar__button" aria-pressed={view.local.microphone} aria-keyshortcuts="M" onClick={() => void props.media.toggle('microphone')}
          title="Microphone (M)">{view.local.microphone ? 'Mute' : 'Unmute'}</button>
        <button type="button" class="toolbar__button" aria-pressed={view.local.camera} aria-keyshortcuts="V" onClick={() => void props.media.toggle('camera')}
          title="Camera (V)">{view.local.camera ? 'Stop video' : 'Start video'}</button>
        <button type="button" class="toolbar__button" aria-pressed={view.local.screen} aria-keyshortcuts="S" onClick={() => void props.media.toggleScreen()}
          title="Share screen (S)">{view.local.screen ? 'Stop sharing' : 'Share screen'}</button>
      </Show>
      <button type="button" class="toolbar__button" aria-pressed={props.raised} aria-keyshortcuts="H" title="Raise hand (H)"
        onClick={() => void props.media.act(props.raised ? 'room.hand.lower' : 'room.hand.raise')}>{props.raised ? 'Lower hand' : 'Raise hand'}</button>
      <button type="button" class="toolbar__button" aria-pressed={props.panel === 'people'} aria-keyshortcuts="P" title="People (P)" onClick={() => toggle('people')}>
        People{view.role === 'host' && view.lobbyEntries.length > 0 ? ` (${view.lobbyEntries.length} waiting)` : ''}
      </button>
      <button type="button" class="toolbar__button" aria-pressed={props.panel === 'chat'} onClick={() => toggle('chat')}>Chat</button>
      <button type="button" class="toolbar__button toolbar__button--leave" onClick={() => props.onLeave()}>Leave</button>
      <Show when={view.role === 'host'}>
        <button type="button" class="toolbar__button toolbar__button--danger" onClick={end}>End for all</button>
      </Show>
    </nav>
  );
}
