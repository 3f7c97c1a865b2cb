/**
 * The live room's side panel: the session's chat, Q&A and polls as tabs, with the reaction
 * bar under them. The room page mounts it; the event lobby page can mount ChatPanel alone.
 */
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { useRealtime } from '../shell/realtime-context.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { PollsPanel } from './PollsPanel.tsx';
import { QaPanel } from './QaPanel.tsx';
import { onPush } from './protocol.ts';
import { ReactionBar } from './ReactionBar.tsx';
import './chat.css';

const TABS = [
  { id: 'chat', label: 'Chat' },
  { id: 'qa', label: 'Q&A' },
  { id: 'polls', label: 'Polls' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function RoomSidePanel(props: { eventId: string; sessionId: string; isHost: boolean }) {
  const { client } = useRealtime();
  const [tab, setTab] = createSignal<Tab>('chat');
  // Chat messages that arrived while another tab was showing.
  const [unseen, setUnseen] = createSignal(0);
  const channel = () => `session:${props.sessionId}`;
  const show = (next: Tab) => {
    setTab(next);
    if (next === 'chat') setUnseen(0);
  };
  onCleanup(onPush(client, 'chat.message', ({ message }) => {
    if (message.channel === channel() && tab() !== 'chat') setUnseen(unseen() + 1);
  }));
  const tabs: HTMLButtonElement[] = [];
  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = (index + step + TABS.length) % TABS.length;
    show(TABS[next].id);
    tabs[next]?.focus();
  };
  return (
    <aside class="room-side" aria-label="Chat, questions and polls" data-host={props.isHost ? 'true' : undefined}>
      <div class="room-side__tabs" role="tablist" aria-label="Room panels">
        <For each={TABS}>
          {(item, index) => (
            <button ref={(el) => (tabs[index()] = el)} type="button" role="tab" id={`room-tab-${item.id}`}
              class="room-side__tab" aria-selected={tab() === item.id} aria-controls={`room-panel-${item.id}`}
              tabIndex={tab() === item.id ? 0 : -1} onClick={() => show(item.id)} onKeyDown={(e) => onKey(e, index())}>
              {item.label}
              <Show when={item.id === 'chat' && unseen() > 0}>
                <span class="room-side__badge" aria-label={`${unseen()} new`}>{unseen()}</span>
              </Show>
            </button>
          )}
        </For>
      </div>
      {/* All three stay mounted (hidden when not shown), so they keep their subscriptions and state. */}
      <div class="room-side__panel" role="tabpanel" id="room-panel-chat" aria-labelledby="room-tab-chat" hidden={tab() !== 'chat'}>
        <ChatPanel channel={channel()} label="Session chat" />
      </div>
      <div class="room-side__panel" role="tabpanel" id="room-panel-qa" aria-labelledby="room-tab-qa" hidden={tab() !== 'qa'}>
        <QaPanel sessionId={props.sessionId} />
      </div>
      <div class="room-side__panel" role="tabpanel" id="room-panel-polls" aria-labelledby="room-tab-polls" hidden={tab() !== 'polls'}>
        <PollsPanel sessionId={props.sessionId} />
      </div>
      <ReactionBar sessionId={props.sessionId} />
    </aside>
  );
}
